using HaSim.Kernel;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Exploration;

/// <summary>The fault kinds swarm testing draws from.</summary>
public enum SwarmFaultKind
{
    Crash,
    MachinePause,
    AgentPause,
    DatabasePause,
    Partition,
    OneWayPartition,
    DcsMemberCrash,
    DiskStall,
    ClockDrift,
}

/// <summary>What one seed enabled: each kind's rate (faults per minute) and longest duration.</summary>
public sealed record SwarmKindSettings(SwarmFaultKind Kind, double PerMinute, Duration LongestFault);

/// <summary>
/// Swarm testing (Groce et al.): each seed first draws which fault kinds are on, and each one's
/// rate and how long its faults last, then draws a schedule of faults from those, so that seeds
/// differ in kind as well as in detail and rare combinations get explored. Every fault heals by
/// the end of the fault phase. Draws come from the seed's own "swarm" stream: the schedule of a
/// seed never depends on the model's other draws, and a schedule is an explicit list of faults
/// that a repro file holds as it is.
/// </summary>
public static class SwarmSchedule
{
    private static readonly Duration Shortest = Duration.FromSeconds(1);

    public static (IReadOnlyList<SwarmKindSettings> Enabled, IReadOnlyList<FaultSpec> Faults) Draw(ClusterSpec spec, ulong seed, Duration faultPhase, Duration start)
    {
        if (spec.Failover is not { } failover)
        {
            throw new ArgumentException("exploring needs a model with a failover section", nameof(spec));
        }
        var random = new SimRandom(seed, "swarm");
        var enabled = new List<SwarmKindSettings>();
        foreach (var kind in Enum.GetValues<SwarmFaultKind>())
        {
            if (kind == SwarmFaultKind.DcsMemberCrash && failover.Dcs.Members.Count < 2)
            {
                continue;
            }
            if (random.NextDouble() < 0.5)
            {
                var perMinute = 0.2 + random.NextDouble() * 1.8;
                var longest = Duration.FromSecondsRounded(5 + random.NextDouble() * 85);
                enabled.Add(new SwarmKindSettings(kind, perMinute, longest));
            }
        }
        if (enabled.Count == 0)
        {
            enabled.Add(new SwarmKindSettings(SwarmFaultKind.Crash, 1, Duration.FromSeconds(30)));
        }

        var faults = new List<FaultSpec>();
        var end = start + faultPhase;
        foreach (var kind in enabled)
        {
            var meanGapSeconds = 60 / kind.PerMinute;
            var at = start;
            while (true)
            {
                at += Duration.FromSecondsRounded(-meanGapSeconds * Math.Log(random.NextOpenUnit()));
                if (at >= end)
                {
                    break;
                }
                var longest = Duration.Min(kind.LongestFault, end - at);
                if (longest < Shortest)
                {
                    break;
                }
                var length = Shortest + Duration.FromSecondsRounded(random.NextDouble() * (longest - Shortest).TotalSeconds);
                faults.AddRange(Faults(kind.Kind, at, length, spec, failover, random));
            }
        }
        faults.Sort((a, b) => a.At.CompareTo(b.At));
        return (enabled, faults);
    }

    /// <summary>One fault of <paramref name="kind"/>; a symmetric partition is two one-way ones.</summary>
    private static IEnumerable<FaultSpec> Faults(SwarmFaultKind kind, Duration at, Duration length, ClusterSpec spec, FailoverSpec failover, SimRandom random)
    {
        var fault = Fault(kind, at, length, spec, failover, random);
        yield return fault;
        if (kind == SwarmFaultKind.Partition && fault is PartitionFault p)
        {
            yield return new PartitionFault(at, length, p.To, p.From)
            {
                FromDcsMembers = p.ToDcsMembers,
                ToDcsMembers = p.FromDcsMembers,
                FromClients = p.ToClients,
                ToClients = p.FromClients,
            };
        }
    }

    private static FaultSpec Fault(SwarmFaultKind kind, Duration at, Duration length, ClusterSpec spec, FailoverSpec failover, SimRandom random)
    {
        NodeId AnyNode() => spec.Nodes[random.NextInt(spec.Nodes.Count)].Id;
        switch (kind)
        {
            case SwarmFaultKind.Crash:
                return new CrashFault(at, length, AnyNode());
            case SwarmFaultKind.MachinePause:
                return new PauseFault(at, length, AnyNode(), PauseScope.Machine);
            case SwarmFaultKind.AgentPause:
                return new PauseFault(at, length, AnyNode(), PauseScope.Agent);
            case SwarmFaultKind.DatabasePause:
                return new PauseFault(at, length, AnyNode(), PauseScope.Database);
            case SwarmFaultKind.DiskStall:
                return new DiskStallFault(at, length, AnyNode());
            case SwarmFaultKind.DcsMemberCrash:
                return new DcsMemberCrashFault(at, length, random.NextInt(failover.Dcs.Members.Count));
            case SwarmFaultKind.ClockDrift:
                // A node's clock at 0.85x to 1x or 1x to 1.5x real speed: far beyond what NTP allows
                // (500 ppm), yet inside what a lease design can survive. The watchdog, which runs on
                // the node's clock, resets a deposed leader ttl - safety_margin local seconds after
                // its last renewal, while its key expires ttl real seconds after it: with Patroni's
                // defaults a clock slower than 25/30 = 0.83x lets the machine run on after another
                // node was promoted, and no setting can prevent it. Slower clocks would only find that.
                return new ClockDriftFault(at, length, AnyNode(), random.NextDouble() < 0.5 ? 0.85 + random.NextDouble() * 0.15 : 1.0 + random.NextDouble() * 0.5);
            default:
                // Split nodes, DCS members and the clients into two sides at random (each side non-empty).
                var nodes = spec.Nodes.Select(n => n.Id).ToArray();
                var members = Enumerable.Range(0, failover.Dcs.Members.Count).ToArray();
                bool[] side;
                var total = nodes.Length + members.Length + 1;
                do
                {
                    side = [.. Enumerable.Range(0, total).Select(_ => random.NextDouble() < 0.5)];
                }
                while (side.All(s => s) || side.All(s => !s));
                var fromNodes = nodes.Where((_, i) => side[i]).ToArray();
                var toNodes = nodes.Where((_, i) => !side[i]).ToArray();
                var fromMembers = members.Where((_, i) => side[nodes.Length + i]).ToArray();
                var toMembers = members.Where((_, i) => !side[nodes.Length + i]).ToArray();
                var clientsFrom = side[^1];
                return new PartitionFault(at, length, fromNodes, toNodes)
                {
                    FromDcsMembers = fromMembers,
                    ToDcsMembers = toMembers,
                    FromClients = clientsFrom,
                    ToClients = !clientsFrom,
                };
        }
    }
}
