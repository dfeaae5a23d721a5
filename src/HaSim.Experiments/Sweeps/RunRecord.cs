using System.Globalization;
using System.IO.Hashing;
using System.Text;
using HaSim.Experiments.Runs;
using HaSim.Kernel.Statistics;
using HaSim.Primitives;

namespace HaSim.Experiments.Sweeps;

/// <summary>
/// What one run of a sweep contributes: its metrics as the text runs.csv will hold, and its
/// commit-latency histogram (sparse) for the per-configuration CDF. Formatted once, when the run
/// finishes, so a resumed or merged sweep writes exactly the bytes a single uninterrupted one does.
/// </summary>
public sealed record RunRecord(RunKey Key, string Trace, IReadOnlyList<string> Metrics, IReadOnlyList<(long LowNs, long Count)> Latency)
{
    /// <summary>The metric columns of runs.csv, in order; empty where a metric does not apply to the model.</summary>
    public static readonly IReadOnlyList<string> MetricNames =
    [
        "commits", "throughput_per_s",
        "commit_latency_mean_us", "commit_latency_p50_us", "commit_latency_p90_us", "commit_latency_p99_us", "commit_latency_p999_us", "commit_latency_max_us",
        "flush_lag_p50_ms", "flush_lag_p99_ms", "unreplicated_best", "unreplicated_best_s", "unreplicated_worst",
        "promotions", "watchdog_resets", "writes_acknowledged", "writes_failed", "writes_unknown",
        "client_rto_s", "controller_rto_s", "no_primary_s",
        "lost_commits", "lost_bytes", "lost_span_s", "maybe_lost_commits",
        "split_brain_windows", "split_brain_s", "violations",
        "events", "failure",
    ];

    /// <summary>Metrics that are text, not numbers: statistics skip them.</summary>
    public static readonly IReadOnlySet<string> TextMetrics = new HashSet<string>(["violations", "failure"], StringComparer.Ordinal);

    public static RunRecord From(RunKey key, ModelRunResult run)
    {
        var report = run.Report;
        var latency = report.CommitLatency;
        var best = report.Standbys.Where(s => !s.FlushLag.IsEmpty).OrderBy(s => s.FlushLag.ValueAtQuantile(0.5)).FirstOrDefault();
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["commits"] = Integer(report.Commits),
            ["throughput_per_s"] = Number(report.CommitsPerSecond),
            ["commit_latency_mean_us"] = latency.IsEmpty ? "" : Number(latency.Mean / 1e3),
            ["commit_latency_p50_us"] = Quantile(latency, 0.5, 1e3),
            ["commit_latency_p90_us"] = Quantile(latency, 0.9, 1e3),
            ["commit_latency_p99_us"] = Quantile(latency, 0.99, 1e3),
            ["commit_latency_p999_us"] = Quantile(latency, 0.999, 1e3),
            ["commit_latency_max_us"] = latency.IsEmpty ? "" : Number(latency.Max / 1e3),
            ["flush_lag_p50_ms"] = best is null ? "" : Quantile(best.FlushLag, 0.5, 1e6),
            ["flush_lag_p99_ms"] = best is null ? "" : Quantile(best.FlushLag, 0.99, 1e6),
            ["unreplicated_best"] = report.Standbys.Count == 0 ? "" : Number(report.Standbys.Min(s => s.MeanNotDurableCommits)),
            ["unreplicated_best_s"] = report.Standbys.Count == 0 || report.CommitsPerSecond <= 0 ? "" : Number(report.Standbys.Min(s => s.MeanNotDurableCommits) / report.CommitsPerSecond),
            ["unreplicated_worst"] = report.Standbys.Count == 0 ? "" : Number(report.Standbys.Max(s => s.MeanNotDurableCommits)),
            ["events"] = Integer(report.Run.EventsProcessed),
            ["failure"] = Clean(report.Failure ?? ""),
        };
        if (report.Failover is { } failover && run.Checks is { } checks)
        {
            values["promotions"] = Integer(failover.Promotions);
            values["watchdog_resets"] = Integer(failover.WatchdogResets);
            values["writes_acknowledged"] = Integer(failover.Acknowledged);
            values["writes_failed"] = Integer(failover.Failed);
            values["writes_unknown"] = Integer(failover.Unknown);
            values["client_rto_s"] = Seconds(checks.ClientRto.Longest);
            values["controller_rto_s"] = checks.ControllerRto.Longest is { } rto ? Seconds(rto) : "";
            values["no_primary_s"] = Seconds(checks.NoWritablePrimary.Total);
            values["lost_commits"] = Integer(checks.Durability.Lost.Count);
            values["lost_bytes"] = Integer(checks.Durability.Lost.Bytes);
            values["lost_span_s"] = Seconds(checks.Durability.Lost.Span);
            values["maybe_lost_commits"] = Integer(checks.Durability.MaybeLost.Count);
            values["split_brain_windows"] = Integer(checks.SingleWriter.Windows.Count);
            values["split_brain_s"] = Seconds(checks.SingleWriter.Total);
            values["violations"] = string.Join(";", checks.Violations);
        }
        var metrics = MetricNames.Select(name => values.TryGetValue(name, out var v) ? v : "").ToArray();
        var buckets = latency.NonEmptyBuckets().Select(b => (b.LowInclusive, b.Count)).ToArray();
        return new RunRecord(key, Trace: report.Fingerprint.Split("trace=")[1], metrics, buckets);
    }

    // Round-trip formatting: the shortest text that parses back to the same double.
    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(Duration d) => Number(d.TotalSeconds);

    private static string Quantile(LogLinearHistogram histogram, double q, double divisor) =>
        histogram.IsEmpty ? "" : Number(histogram.ValueAtQuantile(q) / divisor);

    private static string Clean(string text) => text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');

    // ---- The journal line: tab-separated, with a checksum so a torn line is recognised ----

    /// <summary>One journal line, ending with a newline.</summary>
    public string ToJournalLine()
    {
        var body = new StringBuilder();
        body.Append(Key.Config.ToString(CultureInfo.InvariantCulture)).Append('\t')
            .Append(Key.Seed.ToString(CultureInfo.InvariantCulture)).Append('\t')
            .Append(Trace);
        foreach (var metric in Metrics)
        {
            body.Append('\t').Append(metric);
        }
        body.Append('\t').Append(string.Join(';', Latency.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.LowNs}:{b.Count}"))));
        var text = body.ToString();
        return text + "\t" + Checksum(text) + "\n";
    }

    /// <summary>Parses a journal line (without its newline); null when it is torn or corrupt.</summary>
    public static RunRecord? FromJournalLine(string line)
    {
        var lastTab = line.LastIndexOf('\t');
        if (lastTab < 0 || Checksum(line[..lastTab]) != line[(lastTab + 1)..])
        {
            return null;
        }
        var fields = line[..lastTab].Split('\t');
        if (fields.Length != 3 + MetricNames.Count + 1)
        {
            return null;
        }
        var key = new RunKey(int.Parse(fields[0], CultureInfo.InvariantCulture), ulong.Parse(fields[1], CultureInfo.InvariantCulture));
        var latency = fields[^1].Length == 0
            ? []
            : fields[^1].Split(';').Select(pair =>
            {
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                return (long.Parse(pair[..colon], CultureInfo.InvariantCulture), long.Parse(pair[(colon + 1)..], CultureInfo.InvariantCulture));
            }).ToArray();
        return new RunRecord(key, fields[2], fields[3..^1], latency);
    }

    private static string Checksum(string text) =>
        XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(text)).ToString("x8", CultureInfo.InvariantCulture);
}
