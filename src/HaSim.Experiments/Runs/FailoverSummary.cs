using System.Globalization;
using System.Text;
using CsvHelper;
using HaSim.Checkers;
using HaSim.Failover;
using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Runs;

/// <summary>The failover part of a run's summary: what the agents did, RTO, RPO, split brain, and the invariants.</summary>
public static class FailoverSummary
{
    public static string Format(ModelRunResult run, ClusterSpec spec)
    {
        if (run.Report.Failover is not { } failover || run.Checks is not { } checks || spec.Failover is not { } settings)
        {
            return "";
        }
        var s = settings.Settings;
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(Invariant($"failover: ttl={s.Ttl} loop_wait={s.LoopWait} retry_timeout={s.RetryTimeout}, synchronous_mode {Mode(s)}, watchdog {s.WatchdogMode.ToString().ToLowerInvariant()}, {settings.Dcs.Members.Count} DCS members"));
        foreach (var warning in failover.SettingsWarnings)
        {
            text.AppendLine("  warning: " + warning);
        }
        text.AppendLine(Invariant($"  {failover.Promotions} promotion(s), {failover.WatchdogResets} watchdog reset(s), {failover.Rewinds} pg_rewind(s); the write endpoint moved {failover.RouteChanges} time(s)"));
        text.AppendLine(Invariant($"  at the end: primary {List(failover.FinalPrimaries)}, leader key {failover.FinalLeaderKey ?? "none"}, endpoint -> {failover.FinalRoute ?? "no server"}"));
        text.AppendLine(Invariant($"  client writes: {failover.Acknowledged:N0} acknowledged, {failover.Failed:N0} failed, {failover.Unknown:N0} unknown (\"maybe\")"));
        text.AppendLine();
        text.AppendLine("  RTO (client)      " + checks.ClientRto.Summary);
        text.AppendLine("  RTO (controller)  " + checks.ControllerRto.Summary);
        text.AppendLine("  no primary        " + checks.NoWritablePrimary.Summary);
        text.AppendLine("  RPO               " + checks.Durability.Summary);
        text.AppendLine("  split brain       " + checks.SingleWriter.Summary);
        text.AppendLine("  fresh promotion   " + checks.FreshPromotion.Summary);
        text.AppendLine("  liveness          " + checks.Liveness.Summary);
        text.AppendLine(checks.AllHold ? "  invariants: all hold" : "  invariants violated: " + string.Join(", ", checks.Violations));
        return text.ToString();
    }

    private static string Mode(FailoverSettings s) =>
        s.SynchronousMode == SynchronousMode.Off ? "off" : s.SynchronousModeStrict ? "strict" : "on";

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(" and ", names);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>failover.csv: a run's failover measurements (RTO, RPO, split brain, invariants), one row per run.</summary>
[CsvRecord]
public sealed partial record FailoverRow
{
    [CsvColumn("model")] public required string Model { get; init; }
    [CsvColumn("seed")] public required ulong Seed { get; init; }
    [CsvColumn("promotions")] public required long Promotions { get; init; }
    [CsvColumn("watchdog_resets")] public required long WatchdogResets { get; init; }
    [CsvColumn("writes_acknowledged")] public required long Acknowledged { get; init; }
    [CsvColumn("writes_failed")] public required long Failed { get; init; }
    [CsvColumn("writes_unknown")] public required long Unknown { get; init; }
    [CsvColumn("client_outages")] public required int ClientOutages { get; init; }
    [CsvColumn("client_rto_longest_s")] public required double ClientRtoLongestSeconds { get; init; }
    [CsvColumn("controller_rto_s")] public required double? ControllerRtoSeconds { get; init; }
    [CsvColumn("no_primary_s")] public required double NoPrimarySeconds { get; init; }
    [CsvColumn("lost_commits")] public required int LostCommits { get; init; }
    [CsvColumn("lost_bytes")] public required long LostBytes { get; init; }
    [CsvColumn("lost_span_s")] public required double LostSpanSeconds { get; init; }
    [CsvColumn("maybe_lost_commits")] public required int MaybeLostCommits { get; init; }
    [CsvColumn("split_brain_windows")] public required int SplitBrainWindows { get; init; }
    [CsvColumn("split_brain_s")] public required double SplitBrainSeconds { get; init; }
    [CsvColumn("split_brain_losing_commits")] public required int SplitBrainLosingCommits { get; init; }
    [CsvColumn("fresh_promotion_holds")] public required bool FreshPromotionHolds { get; init; }
    [CsvColumn("liveness")] public required string Liveness { get; init; }

    public static FailoverRow From(ModelRunResult run, ClusterSpec spec)
    {
        var failover = run.Report.Failover!;
        var checks = run.Checks!;
        return new FailoverRow
        {
            Model = spec.Name,
            Seed = run.Report.Seed,
            Promotions = failover.Promotions,
            WatchdogResets = failover.WatchdogResets,
            Acknowledged = failover.Acknowledged,
            Failed = failover.Failed,
            Unknown = failover.Unknown,
            ClientOutages = checks.ClientRto.Outages.Count,
            ClientRtoLongestSeconds = checks.ClientRto.Longest.TotalSeconds,
            ControllerRtoSeconds = checks.ControllerRto.Longest?.TotalSeconds,
            NoPrimarySeconds = checks.NoWritablePrimary.Total.TotalSeconds,
            LostCommits = checks.Durability.Lost.Count,
            LostBytes = checks.Durability.Lost.Bytes,
            LostSpanSeconds = checks.Durability.Lost.Span.TotalSeconds,
            MaybeLostCommits = checks.Durability.MaybeLost.Count,
            SplitBrainWindows = checks.SingleWriter.Windows.Count,
            SplitBrainSeconds = checks.SingleWriter.Total.TotalSeconds,
            SplitBrainLosingCommits = checks.SingleWriter.Windows.Sum(w => w.LosingCommits.Count),
            FreshPromotionHolds = checks.FreshPromotion.Holds,
            Liveness = checks.Liveness.Verdict.ToString().ToLowerInvariant(),
        };
    }
}
