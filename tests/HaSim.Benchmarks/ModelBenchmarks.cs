using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using HaSim.Experiments.Loading;
using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Benchmarks;

/// <summary>
/// The embedded lesson model (primary, FIRST 1 synchronous standby, asynchronous standby; 2,000
/// commits per second) simulated for one minute, start to finish: one operation is one whole run.
/// The Commits/s column divides the run's commits (a fixed number for the fixed seed) by the
/// measured time: simulated commits per wall-clock second on one core.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ModelBenchmarks
{
    internal static readonly ClusterSpec Lesson = ModelLoader.LoadDefault() with
    {
        Warmup = Duration.Zero,
        Duration = Duration.Parse("60s"),
    };

    [Benchmark(Description = "lesson model, 60 simulated seconds")]
    public ClusterRunReport LessonMinute() => ClusterRunner.Run(Lesson, seed: 1);

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new SimulatedCommitsPerSecondColumn());
    }

    /// <summary>Simulated commits per wall-clock second: the commits of one run divided by its mean time.</summary>
    private sealed class SimulatedCommitsPerSecondColumn : IColumn
    {
        private static readonly Lazy<long> CommitsPerRun = new(() => ClusterRunner.Run(Lesson, seed: 1).Commits);

        public string Id => nameof(SimulatedCommitsPerSecondColumn);
        public string ColumnName => "Commits/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Simulated commits per wall-clock second (commits of one run / mean time of one run)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            if (statistics is null)
            {
                return "NA";
            }
            var commitsPerSecond = CommitsPerRun.Value / (statistics.Mean / 1e9);
            return commitsPerSecond.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }
}
