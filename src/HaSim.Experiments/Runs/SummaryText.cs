using System.Globalization;
using System.Text;
using HaSim.Kernel.Statistics;
using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Runs;

/// <summary>The run summary printed on the terminal: aligned tables a person reads at a glance.</summary>
public static class SummaryText
{
    public static string Format(ClusterRunReport report, ClusterSpec spec)
    {
        var text = new StringBuilder();
        text.AppendLine(report.Fingerprint);
        text.AppendLine(Invariant($"model {report.ModelName}: {report.Measured} measured after {spec.Warmup} warm-up; {DescribeReplication(spec)}"));
        text.AppendLine(Invariant($"{report.Commits:N0} commits ({report.CommitsPerSecond:0.0}/s), {report.Reads:N0} reads, {report.Run.EventsProcessed:N0} events"));
        text.AppendLine();

        var latency = report.CommitLatency;
        var table = new Table(1, "commit latency", "p50", "p90", "p99", "p99.9", "max", "mean");
        if (latency.IsEmpty)
        {
            table.Add("(no commits)", "", "", "", "", "", "");
        }
        else
        {
            table.Add("", Time(latency.ValueAtQuantile(0.5)), Time(latency.ValueAtQuantile(0.9)), Time(latency.ValueAtQuantile(0.99)),
                Time(latency.ValueAtQuantile(0.999)), Time(latency.Max), Time((long)latency.Mean));
        }
        text.Append(table);

        if (report.Standbys.Count > 0)
        {
            text.AppendLine();
            var standbys = new Table(3, "standby", "zone", "state", "flush lag p50", "p99", "replay lag p50", "p99", "lag p99", "unreplicated");
            foreach (var s in report.Standbys)
            {
                standbys.Add(s.Name, s.Zone, s.SyncState, Quantile(s.FlushLag, 0.5), Quantile(s.FlushLag, 0.99),
                    Quantile(s.ReplayLag, 0.5), Quantile(s.ReplayLag, 0.99),
                    s.LagBytes.IsEmpty ? "-" : Bytes(s.LagBytes.ValueAtQuantile(0.99)),
                    Invariant($"{s.MeanNotDurableCommits:0.00}"));
            }
            text.Append(standbys);
        }
        if (spec.Faults.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("faults:");
            foreach (var fault in spec.Faults)
            {
                text.AppendLine("  " + FaultText.Describe(fault, spec));
            }
            foreach (var s in report.Standbys.Where(s => s.Disconnections > 0))
            {
                text.AppendLine(Invariant($"{s.Name}: dropped by the primary after wal_sender_timeout {s.Disconnections} time(s), disconnected {Time(s.DisconnectedTime.Nanoseconds)} in all"));
            }
        }
        if (report.Reads > 0 && spec.Workload.ReadRouting == ReadRouting.Replicas)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"read staleness on replicas: p50 {Quantile(report.ReadStaleness, 0.5)}, p99 {Quantile(report.ReadStaleness, 0.99)}, max {Quantile(report.ReadStaleness, 1)}"));
        }
        if (spec.Replication.SemiSync is not null)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"semi-sync fell back to asynchronous {report.SemiSyncFallbacks} times, {report.SemiSyncAsyncTime} in all"));
        }
        return text.ToString();
    }

    private static string DescribeReplication(ClusterSpec spec)
    {
        var r = spec.Replication;
        if (r.StorageQuorum is { } quorum)
        {
            return Invariant($"storage quorum {quorum.WriteQuorum} of {spec.Nodes.Count(n => n.Role == NodeRole.Storage)}");
        }
        if (r.SemiSync is { } semi)
        {
            return Invariant($"semi-sync, {semi.WaitForReplicaCount} replica(s), timeout {semi.Timeout}");
        }
        var level = r.SynchronousCommit switch
        {
            SynchronousCommit.Off => "off",
            SynchronousCommit.Local => "local",
            SynchronousCommit.RemoteWrite => "remote_write",
            SynchronousCommit.On => "on",
            _ => "remote_apply",
        };
        return r.SynchronousStandbyNames is { } names
            ? $"synchronous_commit={level}, synchronous_standby_names='{names}'"
            : $"synchronous_commit={level}, asynchronous standbys";
    }

    private static string Quantile(LogLinearHistogram h, double q) => h.IsEmpty ? "-" : Time(h.ValueAtQuantile(q));

    /// <summary>A time with three significant digits and a unit that keeps the number readable.</summary>
    public static string Time(long nanoseconds)
    {
        double v = nanoseconds;
        var (value, unit) = v >= 1e9 ? (v / 1e9, "s") : v >= 1e6 ? (v / 1e6, "ms") : v >= 1e3 ? (v / 1e3, "us") : (v, "ns");
        return Significant(value) + unit;
    }

    public static string Bytes(long bytes)
    {
        double v = bytes;
        var (value, unit) = v >= 1 << 30 ? (v / (1 << 30), "GB") : v >= 1 << 20 ? (v / (1 << 20), "MB") : v >= 1 << 10 ? (v / 1024, "kB") : (v, "B");
        return Significant(value) + unit;
    }

    private static string Significant(double value) =>
        value.ToString(value >= 100 ? "0" : value >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Left-aligned label columns, then right-aligned numeric columns.</summary>
    private sealed class Table(int leftAligned, params string[] header)
    {
        private readonly List<string[]> _rows = [header];

        public void Add(params string[] cells) => _rows.Add(cells);

        public override string ToString()
        {
            var widths = Enumerable.Range(0, _rows[0].Length).Select(i => _rows.Max(r => r[i].Length)).ToArray();
            var text = new StringBuilder();
            foreach (var row in _rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    text.Append(i < leftAligned ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
                    text.Append(i == row.Length - 1 ? "" : "  ");
                }
                text.AppendLine();
            }
            return text.ToString();
        }
    }
}
