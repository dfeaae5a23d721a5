using System.Globalization;
using System.Text;
using HaSim.Kernel.Statistics;

namespace HaSim.Experiments.Sweeps;

/// <summary>
/// The outputs of a finished sweep, from its records alone (never from the order runs finished
/// in), so a parallel, resumed or merged sweep writes the same bytes as a serial one:
/// runs.csv (one row per configuration and seed), stats.csv (tidy: one row per configuration and
/// metric) and latency_cdf.csv (each configuration's commit-latency CDF over all its seeds).
/// </summary>
public static class SweepOutputs
{
    public const string RunsFile = "runs.csv";
    public const string StatsFile = "stats.csv";
    public const string LatencyCdfFile = "latency_cdf.csv";

    /// <summary>At most this many CDF points per configuration (evenly spaced in rank, the last one always kept).</summary>
    private const int CdfPoints = 400;

    public static void Write(string directory, Experiment experiment, IReadOnlyList<RunRecord> records)
    {
        var sorted = records.OrderBy(r => r.Key).ToArray();
        CsvText.WriteAtomically(Path.Combine(directory, RunsFile), Runs(experiment, sorted));
        CsvText.WriteAtomically(Path.Combine(directory, StatsFile), Stats(experiment, sorted));
        CsvText.WriteAtomically(Path.Combine(directory, LatencyCdfFile), LatencyCdf(experiment, sorted));
    }

    public static string Runs(Experiment experiment, IReadOnlyList<RunRecord> sorted)
    {
        var text = new StringBuilder();
        CsvText.AppendRow(text, ["experiment", "config", .. experiment.Parameters, "seed", "trace", .. RunRecord.MetricNames]);
        foreach (var record in sorted)
        {
            var configuration = experiment.Configurations[record.Key.Config];
            CsvText.AppendRow(text, [experiment.Name, Integer(record.Key.Config), .. configuration.Values, record.Key.Seed.ToString(CultureInfo.InvariantCulture), record.Trace, .. record.Metrics]);
        }
        return text.ToString();
    }

    public static string Stats(Experiment experiment, IReadOnlyList<RunRecord> sorted)
    {
        var text = new StringBuilder();
        CsvText.AppendRow(text, ["experiment", "config", .. experiment.Parameters, "metric", "n", "mean", "sd", "mean_ci95_low", "mean_ci95_high",
            "min", "p50", "p90", "p99", "max", "p50_ci95_low", "p50_ci95_high"]);
        foreach (var group in sorted.GroupBy(r => r.Key.Config))
        {
            var configuration = experiment.Configurations[group.Key];
            for (var m = 0; m < RunRecord.MetricNames.Count; m++)
            {
                var metric = RunRecord.MetricNames[m];
                if (RunRecord.TextMetrics.Contains(metric))
                {
                    continue;
                }
                var values = group.Select(r => r.Metrics[m]).Where(v => v.Length > 0)
                    .Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
                if (values.Length == 0)
                {
                    continue;
                }
                var s = MetricStatistics.Of(values);
                CsvText.AppendRow(text, [experiment.Name, Integer(group.Key), .. configuration.Values, metric, Integer(s.N),
                    Number(s.Mean), Number(s.Sd), Number(s.MeanLow), Number(s.MeanHigh),
                    Number(s.Min), Number(s.P50), Number(s.P90), Number(s.P99), Number(s.Max), Number(s.MedianLow), Number(s.MedianHigh)]);
            }
        }
        return text.ToString();
    }

    public static string LatencyCdf(Experiment experiment, IReadOnlyList<RunRecord> sorted)
    {
        var text = new StringBuilder();
        CsvText.AppendRow(text, ["experiment", "config", .. experiment.Parameters, "latency_us", "cumulative_fraction"]);
        foreach (var group in sorted.GroupBy(r => r.Key.Config))
        {
            var merged = new LogLinearHistogram();
            foreach (var record in group)
            {
                foreach (var (low, count) in record.Latency)
                {
                    merged.Record(low, count);
                }
            }
            if (merged.IsEmpty)
            {
                continue;
            }
            var configuration = experiment.Configurations[group.Key];
            var buckets = merged.NonEmptyBuckets().ToArray();
            var step = Math.Max(1, (buckets.Length + CdfPoints - 1) / CdfPoints);
            long cumulative = 0;
            for (var i = 0; i < buckets.Length; i++)
            {
                cumulative += buckets[i].Count;
                if (i % step == step - 1 || i == buckets.Length - 1)
                {
                    CsvText.AppendRow(text, [experiment.Name, Integer(group.Key), .. configuration.Values,
                        Number(buckets[i].HighInclusive / 1e3), Number((double)cumulative / merged.Count)]);
                }
            }
        }
        return text.ToString();
    }

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double? value) => value is { } v ? RunRecord.Number(v) : "";
}
