using System.Globalization;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Exploration;

/// <summary>
/// Writes faults back in the model file's syntax (docs/model-format.md, <c>faults</c>), one YAML
/// flow mapping each, so a drawn schedule can be saved in a model file and loaded again exactly.
/// </summary>
public static class FaultYaml
{
    public static string Write(FaultSpec fault, ClusterSpec spec)
    {
        string Node(NodeId id) => spec.Nodes[id.Value].Name;
        string Member(int m) => spec.Failover!.Dcs.Members[m].Name;
        string List(IEnumerable<string> names) => "[" + string.Join(", ", names) + "]";
        string Side(IReadOnlyList<NodeId> nodes, IReadOnlyList<int> members, bool clients) =>
            List(nodes.Select(Node).Concat(members.Select(Member)).Concat(clients ? ["clients"] : []));
        var body = fault switch
        {
            PartitionFault p => $"partition: {{from: {Side(p.From, p.FromDcsMembers, p.FromClients)}, to: {Side(p.To, p.ToDcsMembers, p.ToClients)}}}",
            CrashFault { Scope: CrashScope.Machine } c => $"crash: {Node(c.Node)}",
            CrashFault c => $"crash: {{node: {Node(c.Node)}, scope: {c.Scope.ToString().ToLowerInvariant()}}}",
            PauseFault p => $"pause: {{node: {Node(p.Node)}, scope: {p.Scope.ToString().ToLowerInvariant()}}}",
            DiskStallFault d => $"disk_stall: {Node(d.Node)}",
            DcsMemberCrashFault m => $"dcs_crash: {Member(m.Member)}",
            ClockDriftFault c => string.Create(CultureInfo.InvariantCulture, $"clock_drift: {{node: {Node(c.Node)}, rate: {c.Rate:R}}}"),
            LinkFault l => $"link: {{from: {Node(l.From[0])}, to: {Node(l.To[0])}"
                + (l.Latency is { } latency ? $", latency: '{latency}'" : "")
                + (l.LossProbability is { } loss ? string.Create(CultureInfo.InvariantCulture, $", loss: {loss:R}") : "") + "}",
            _ => throw new ArgumentException($"cannot write {fault.GetType().Name}", nameof(fault)),
        };
        return $"{{{body}, at: {fault.At}" + (fault.For is { } length ? $", for: {length}}}" : "}");
    }
}
