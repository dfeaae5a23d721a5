using CsvHelper;
using HaSim.Kernel.Statistics;
using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Runs;

/// <summary>Turns a run's report into CSV rows and files.</summary>
public static class RunCsv
{
    public const string SummaryFile = "summary.csv";
    public const string StandbysFile = "standbys.csv";
    public const string HistogramFile = "commit_latency_histogram.csv";
    public const string LagFile = "lag.csv";
    public const string FailoverFile = "failover.csv";

    public static RunSummaryRow SummaryRow(ClusterRunReport report, ClusterSpec spec)
    {
        var latency = report.CommitLatency;
        var staleness = report.ReadStaleness;
        return new RunSummaryRow
        {
            Model = report.ModelName,
            Seed = report.Seed,
            Trace = report.TraceHash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            MeasuredSeconds = report.Measured.TotalSeconds,
            WarmupSeconds = spec.Warmup.TotalSeconds,
            Commits = report.Commits,
            ThroughputPerSecond = report.CommitsPerSecond,
            CommitLatencyMeanMicros = latency.IsEmpty ? null : latency.Mean / 1e3,
            CommitLatencyP50Micros = Quantile(latency, 0.5, 1e3),
            CommitLatencyP90Micros = Quantile(latency, 0.9, 1e3),
            CommitLatencyP99Micros = Quantile(latency, 0.99, 1e3),
            CommitLatencyP999Micros = Quantile(latency, 0.999, 1e3),
            CommitLatencyMaxMicros = Quantile(latency, 1, 1e3),
            Reads = report.Reads,
            ReadStalenessP50Millis = Quantile(staleness, 0.5, 1e6),
            ReadStalenessP99Millis = Quantile(staleness, 0.99, 1e6),
            SemiSyncFallbacks = report.SemiSyncFallbacks,
            SemiSyncAsyncSeconds = report.SemiSyncAsyncTime.TotalSeconds,
            Events = report.Run.EventsProcessed,
            Failure = report.Failure ?? "",
        };
    }

    public static IEnumerable<StandbyRow> StandbyRows(ClusterRunReport report) =>
        report.Standbys.Select(s => new StandbyRow
        {
            Model = report.ModelName,
            Seed = report.Seed,
            Standby = s.Name,
            Role = s.Role.ToString().ToLowerInvariant(),
            Zone = s.Zone,
            SyncState = s.SyncState,
            SentLsn = s.SentLsn.ToString(),
            WriteLsn = s.WriteLsn.ToString(),
            FlushLsn = s.FlushLsn.ToString(),
            ReplayLsn = s.ReplayLsn.ToString(),
            WriteLagP50Millis = Quantile(s.WriteLag, 0.5, 1e6),
            FlushLagP50Millis = Quantile(s.FlushLag, 0.5, 1e6),
            FlushLagP99Millis = Quantile(s.FlushLag, 0.99, 1e6),
            ReplayLagP50Millis = Quantile(s.ReplayLag, 0.5, 1e6),
            ReplayLagP99Millis = Quantile(s.ReplayLag, 0.99, 1e6),
            ReplayLagMaxMillis = Quantile(s.ReplayLag, 1, 1e6),
            LagBytesP50 = s.LagBytes.IsEmpty ? null : s.LagBytes.ValueAtQuantile(0.5),
            LagBytesP99 = s.LagBytes.IsEmpty ? null : s.LagBytes.ValueAtQuantile(0.99),
            NotDurableCommitsMean = s.MeanNotDurableCommits,
            DurabilityDelayMeanMillis = s.MeanDurabilityDelaySeconds * 1e3,
            Disconnections = s.Disconnections,
            DisconnectedSeconds = s.DisconnectedTime.TotalSeconds,
        });

    public static IEnumerable<LatencyBucketRow> HistogramRows(ClusterRunReport report)
    {
        var histogram = report.CommitLatency;
        long cumulative = 0;
        foreach (var bucket in histogram.NonEmptyBuckets())
        {
            cumulative += bucket.Count;
            yield return new LatencyBucketRow
            {
                Model = report.ModelName,
                Seed = report.Seed,
                LowMicros = bucket.LowInclusive / 1e3,
                HighMicros = bucket.HighInclusive / 1e3,
                Count = bucket.Count,
                CumulativeFraction = (double)cumulative / histogram.Count,
            };
        }
    }

    /// <summary>Writes summary.csv, standbys.csv and the histogram into <paramref name="directory"/>.</summary>
    public static void WriteReport(string directory, ClusterRunReport report, ClusterSpec spec)
    {
        Directory.CreateDirectory(directory);
        Write(Path.Combine(directory, SummaryFile), [SummaryRow(report, spec)]);
        Write(Path.Combine(directory, StandbysFile), StandbyRows(report));
        Write(Path.Combine(directory, HistogramFile), HistogramRows(report));
    }

    public static void Write<T>(string path, IEnumerable<T> rows)
    {
        using var text = new StreamWriter(path);
        using var csv = CsvWriter.Create(text, CsvWriterOptions.Default);
        csv.WriteRecords(rows);
    }

    private static double? Quantile(LogLinearHistogram histogram, double q, double divisor) =>
        histogram.IsEmpty ? null : histogram.ValueAtQuantile(q) / divisor;
}

/// <summary>Streams the lag time series into lag.csv as the run produces it.</summary>
public sealed class LagCsvSink : ILagSampleSink, IDisposable
{
    private readonly StreamWriter _text;
    private readonly CsvWriter _csv;
    private readonly CsvRecordWriter<LagRow> _rows = CsvRecordWriter.Create<LagRow>();
    private readonly ClusterSpec _spec;
    private readonly ulong _seed;

    public LagCsvSink(string path, ClusterSpec spec, ulong seed)
    {
        _spec = spec;
        _seed = seed;
        _text = new StreamWriter(path);
        _csv = CsvWriter.Create(_text, CsvWriterOptions.Default);
        _csv.WriteHeader<LagRow>();
    }

    public void Write(in LagSample sample)
    {
        _rows.Write(_csv, new LagRow
        {
            Model = _spec.Name,
            Seed = _seed,
            TimeSeconds = sample.Time.SinceStart.TotalSeconds,
            Standby = _spec.Nodes[sample.Standby.Value].Name,
            CurrentLsn = new Lsn((ulong)sample.CurrentLsn).ToString(),
            SentLsn = new Lsn((ulong)sample.SentLsn).ToString(),
            WriteLsn = new Lsn((ulong)sample.WriteLsn).ToString(),
            FlushLsn = new Lsn((ulong)sample.FlushLsn).ToString(),
            ReplayLsn = new Lsn((ulong)sample.ReplayLsn).ToString(),
            LagBytes = Math.Max(0, sample.CurrentLsn - sample.ReplayLsn),
            WriteLagMillis = sample.WriteLag.TotalMilliseconds,
            FlushLagMillis = sample.FlushLag.TotalMilliseconds,
            ReplayLagMillis = sample.ReplayLag.TotalMilliseconds,
        });
        _csv.EndRecord(); // a record writer writes the fields only
    }

    public void Dispose()
    {
        _csv.Dispose();
        _text.Dispose();
    }
}
