using System.Globalization;
using HaSim.Primitives;

namespace HaSim.Model.Spec;

/// <summary>Faults in words, by the model's names: one wording for the run summary and the run's history.</summary>
public static class FaultText
{
    /// <summary>What the fault does and to whom, e.g. "crash of pg1", "agent pause of pg1", "partition pg1 -> pg2,etcd2,clients".</summary>
    public static string What(FaultSpec fault, ClusterSpec spec)
    {
        string Names(IEnumerable<NodeId> nodes) => string.Join(",", nodes.Select(n => spec.Nodes[n.Value].Name));
        string Side(IReadOnlyList<NodeId> nodes, IReadOnlyList<int> members, bool clients) => string.Join(",",
            nodes.Select(n => spec.Nodes[n.Value].Name)
                .Concat(members.Select(m => spec.Failover?.Dcs.Members[m].Name ?? "dcs" + m.ToString(CultureInfo.InvariantCulture)))
                .Concat(clients ? ["clients"] : []));
        return fault switch
        {
            PartitionFault p => $"partition {Side(p.From, p.FromDcsMembers, p.FromClients)} -> {Side(p.To, p.ToDcsMembers, p.ToClients)}",
            LinkFault l => $"link {Names(l.From)} -> {Names(l.To)}"
                + (l.Latency is { } latency ? $" latency {latency}" : "")
                + (l.LossProbability is { } loss ? string.Create(CultureInfo.InvariantCulture, $" loss {loss}") : ""),
            DiskStallFault d => $"disk stall on {Names([d.Node])}",
            CrashFault c => $"crash of {Names([c.Node])}",
            PauseFault { Scope: PauseScope.Machine } p => $"pause of {Names([p.Node])}",
            PauseFault p => $"{p.Scope.ToString().ToLowerInvariant()} pause of {Names([p.Node])}",
            DcsMemberCrashFault m => $"crash of DCS member {spec.Failover?.Dcs.Members[m.Member].Name}",
            ClockDriftFault c => string.Create(CultureInfo.InvariantCulture, $"clock of {Names([c.Node])} at x{c.Rate}"),
            _ => fault.GetType().Name,
        };
    }

    /// <summary><see cref="What"/> with when and for how long, e.g. "crash of pg1 at 1m for 2m".</summary>
    public static string Describe(FaultSpec fault, ClusterSpec spec) =>
        $"{What(fault, spec)} at {fault.At}" + (fault.For is { } length ? $" for {length}" : " to the end");
}
