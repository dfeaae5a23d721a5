using CsvHelper;
using HaSim.Checkers;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Runs;

/// <summary>timeline.csv: spans of a failover run, for the timeline plot: each node's role, the leader-key holder, the faults.</summary>
[CsvRecord]
public sealed partial record TimelineRow
{
    [CsvColumn("model")] public required string Model { get; init; }
    [CsvColumn("seed")] public required ulong Seed { get; init; }
    [CsvColumn("track")] public required string Track { get; init; }
    [CsvColumn("kind")] public required string Kind { get; init; }
    [CsvColumn("from_s")] public required double FromSeconds { get; init; }
    [CsvColumn("to_s")] public required double ToSeconds { get; init; }
    [CsvColumn("state")] public required string State { get; init; }
    [CsvColumn("detail")] public required string Detail { get; init; }
}

/// <summary>writes.csv: client writes per second of a failover run, by how they ended.</summary>
[CsvRecord]
public sealed partial record WritesRow
{
    [CsvColumn("model")] public required string Model { get; init; }
    [CsvColumn("seed")] public required ulong Seed { get; init; }
    [CsvColumn("time_s")] public required double TimeSeconds { get; init; }
    [CsvColumn("acknowledged")] public required long Acknowledged { get; init; }
    [CsvColumn("failed")] public required long Failed { get; init; }
    [CsvColumn("unknown")] public required long Unknown { get; init; }
}

/// <summary>The timeline of a failover run as timeline.csv and writes.csv.</summary>
public static class TimelineCsv
{
    public const string TimelineFile = "timeline.csv";
    public const string WritesFile = "writes.csv";

    public static IEnumerable<TimelineRow> TimelineRows(ModelRunResult run, ClusterSpec spec)
    {
        var history = run.History ?? throw new ArgumentException("a timeline needs a failover run's history", nameof(run));
        var end = history.End;
        TimelineRow Row(string track, string kind, Instant from, Instant to, string state, string detail) => new()
        {
            Model = spec.Name, Seed = run.Report.Seed, Track = track, Kind = kind,
            FromSeconds = from.SinceStart.TotalSeconds, ToSeconds = to.SinceStart.TotalSeconds, State = state, Detail = detail,
        };
        foreach (var role in history.Roles.OrderBy(r => r.Node).ThenBy(r => r.From))
        {
            yield return Row(spec.Nodes[role.Node.Value].Name, "role", role.From, role.Until(end), role.Role.ToString().ToLowerInvariant(),
                "timeline " + role.Timeline.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var changes = run.Report.Failover!.LeaderKeyChanges;
        for (var i = 0; i < changes.Count; i++)
        {
            var to = i + 1 < changes.Count ? changes[i + 1].At : end;
            if (to > changes[i].At)
            {
                yield return Row("leader key", "leader_key", changes[i].At, to, changes[i].Holder ?? "none", "");
            }
        }
        foreach (var fault in spec.Faults)
        {
            yield return Row("faults", "fault", Instant.Start + fault.At, Instant.Min(fault.HealsAt ?? end, end), FaultText.What(fault, spec), "");
        }
    }

    public static IEnumerable<WritesRow> WritesRows(ModelRunResult run, ClusterSpec spec)
    {
        var history = run.History ?? throw new ArgumentException("a timeline needs a failover run's history", nameof(run));
        var seconds = (int)Math.Ceiling(history.End.SinceStart.TotalSeconds);
        var counts = new long[seconds + 1, 3];
        foreach (var commit in history.Commits)
        {
            var bin = Math.Min(seconds, (int)commit.OutcomeAt.SinceStart.TotalSeconds);
            counts[bin, (int)commit.Outcome]++;
        }
        for (var s = 0; s < seconds; s++)
        {
            yield return new WritesRow
            {
                Model = spec.Name, Seed = run.Report.Seed, TimeSeconds = s,
                Acknowledged = counts[s, (int)CommitOutcome.Acknowledged],
                Failed = counts[s, (int)CommitOutcome.Failed],
                Unknown = counts[s, (int)CommitOutcome.Unknown],
            };
        }
    }
}
