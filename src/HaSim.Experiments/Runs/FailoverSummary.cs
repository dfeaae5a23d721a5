using System.Globalization;
using System.Text;
using CsvHelper;
using HaSim.Checkers;
using HaSim.Failover;
using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Runs;

/// <summary>
/// The failover part of a run's summary: what the agents did, then RTO, RPO, split brain and the
/// invariants, by the model's node names and rounded to the millisecond (failover.csv and the
/// checkers' own reports keep full precision).
/// </summary>
public static class FailoverSummary
{
    public static string Format(ModelRunResult run, ClusterSpec spec)
    {
        if (run.Report.Failover is not { } failover || run.Checks is not { } checks || spec.Failover is not { } settings)
        {
            return "";
        }
        string Name(NodeId node) => spec.Nodes[node.Value].Name;
        var s = settings.Settings;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        text.AppendLine();
        if (settings.Agent == FailoverAgent.NaiveScript)
        {
            var n = settings.NaiveScript;
            Line($"failover: agent naive-script, heartbeat_interval={n.HeartbeatInterval} heartbeat_timeout={n.HeartbeatTimeout}, no DCS, no fencing");
        }
        else
        {
            Line($"failover: ttl={s.Ttl} loop_wait={s.LoopWait} retry_timeout={s.RetryTimeout}, synchronous_mode {Mode(s)}, watchdog {s.WatchdogMode.ToString().ToLowerInvariant()}, {settings.Dcs.Members.Count} DCS members");
        }
        if (s.UnsafeDisableFencing)
        {
            text.AppendLine("  FENCING DISABLED (unsafe_disable_fencing: true, a test-only switch): no demotion on a lost leader key, no watchdog");
        }
        foreach (var warning in failover.SettingsWarnings)
        {
            text.AppendLine("  warning: " + warning);
        }
        Line($"  {Count(failover.Promotions, "promotion")}, {Count(failover.WatchdogResets, "watchdog reset")}, {Count(failover.Rewinds, "pg_rewind")}; the write endpoint moved {Count(failover.RouteChanges, "time")}");
        Line($"  at the end: primary {List(failover.FinalPrimaries)}, leader key {failover.FinalLeaderKey ?? "none"}, endpoint -> {failover.FinalRoute ?? "no server"}");
        Line($"  client writes: {failover.Acknowledged:N0} acknowledged, {failover.Failed:N0} failed, {failover.Unknown:N0} unknown (\"maybe\")");
        text.AppendLine();

        var outages = checks.ClientRto.Outages;
        if (outages.Count == 0)
        {
            Line($"  RTO, client          none: no gap over {Seconds(checks.ClientRto.EffectiveThreshold)} between acknowledged writes");
        }
        foreach (var outage in outages)
        {
            Line($"  RTO, client          {Seconds(outage.Length)}: last acknowledged write {At(outage.LastAckBefore)}, next {(outage.FirstAckAfter is { } after ? At(after) : "never (run ended)")}");
        }
        foreach (var recovery in checks.ControllerRto.Recoveries)
        {
            Line($"  RTO, controller      {(recovery.TimeToPromotion is { } rto ? Seconds(rto) : "-")}: {recovery.Fault.Kind} at {At(recovery.Fault.Start)}, {(recovery.Promotion is { } p ? $"{Name(p.Node)} promoted at {At(p.At)}" : "no promotion after it")}");
        }
        var noPrimary = checks.NoWritablePrimary;
        Line($"  no writable primary  {Seconds(noPrimary.Total)} in all{(noPrimary.Windows.Count > 0 ? ", " + string.Join(", ", noPrimary.Windows.Select(w => $"{At(w.From)}..{At(w.To)}")) : "")}");
        var durability = checks.Durability;
        Line($"  RPO                  {durability.Lost.Count:N0} acknowledged writes lost ({Size(durability.Lost.Bytes)} over {Seconds(durability.Lost.Span)}); {durability.MaybeLost.Count:N0} maybe lost (outcome unknown); survivor {Name(durability.Survivor.Node)} on timeline {durability.Survivor.Timeline.Value}");
        var splitBrain = checks.SingleWriter;
        if (splitBrain.Holds)
        {
            Line($"  split brain          none: never two nodes accepting writes at once");
        }
        foreach (var window in splitBrain.Windows)
        {
            var writers = string.Join(" and ", window.Writers.Select(w => $"{Name(w.Node)} on timeline {w.Timeline.Value}"));
            Line($"  split brain          {Seconds(window.Length)}, {At(window.From)}..{At(window.To)}: {writers}; {window.LosingCommits.Count:N0} writes ({Size(window.LosingCommits.Bytes)}) on the losing side");
        }
        var fresh = checks.FreshPromotion;
        Line($"  fresh promotion      {(fresh.Holds ? "holds" : "VIOLATED")} over {Count(fresh.Promotions, "promotion")}{(fresh.Holds ? "" : ": " + string.Join("; ", fresh.Violations.Select(Stale)))}");
        var liveness = checks.Liveness;
        Line($"  liveness             {liveness.Verdict.ToString().ToLowerInvariant()} (bound {Seconds(liveness.Bound)}){(liveness.Primary is { } primary && liveness.UniqueFrom is { } from ? $": {Name(primary)} the only writable primary from {At(from)}" : ": " + liveness.Reason)}");
        text.AppendLine(checks.AllHold ? "  invariants: all hold" : "  invariants violated: " + string.Join(", ", checks.Violations));
        return text.ToString();

        string Stale(StalePromotion stale) =>
            $"{Name(stale.Promotion.Node)} promoted at {At(stale.Promotion.At)} to timeline {stale.Promotion.NewTimeline.Value} "
            + $"(from timeline {stale.Promotion.Parent.Value} at {stale.Promotion.SwitchLsn}) without {stale.Missing.Count:N0} acknowledged writes "
            + $"({Size(stale.Missing.Bytes)} over {Seconds(stale.Missing.Span)})";
    }

    private static string Mode(FailoverSettings s) =>
        s.SynchronousMode == SynchronousMode.Off ? "off" : s.SynchronousModeStrict ? "strict" : "on";

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(" and ", names);

    private static string Count(long n, string noun) => string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");

    private static string Seconds(Duration d) => string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.000}s");

    private static string Size(long bytes) => bytes == 0 ? "0B" : SummaryText.Bytes(bytes);

    private static string At(Instant t) => "T+" + Seconds(t.SinceStart);
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
