using System.Globalization;
using System.Text.RegularExpressions;
using HaSim.Experiments.Loading;
using HaSim.Model.Cluster;
using HaSim.Primitives;

namespace HaSim.Cli.Tests;

public partial class RunCommandTests
{
    [Fact]
    public void TheDefaultModelRunsAndPrintsTheSummary()
    {
        var output = CliProcess.Run("run", "--duration", "5s");
        Assert.True(output.ExitCode == 0, output.StdErr);
        Assert.Matches(@"^seed=1 trace=[0-9a-f]{16}\r?\n", output.StdOut);
        Assert.Contains("model lesson", output.StdOut, StringComparison.Ordinal);
        Assert.Contains("FIRST 1 (pg2)", output.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"pg2\s+use1-az2\s+sync", output.StdOut);
        Assert.Matches(@"pg3\s+use1-az3\s+async", output.StdOut);
    }

    [Fact]
    public void TheSameSeedGivesTheSameTraceInThisProcessAndInOthers()
    {
        var spec = ModelLoader.LoadDefault() with { Duration = Duration.Parse("5s") };
        var inProcess = ClusterRunner.Run(spec, seed: 7).Fingerprint;
        var first = CliProcess.Run("run", "--duration", "5s", "--seed", "7").StdOut.Split('\n')[0].Trim();
        var second = CliProcess.Run("run", "--duration", "5s", "--seed", "7").StdOut.Split('\n')[0].Trim();
        var other = CliProcess.Run("run", "--duration", "5s", "--seed", "8").StdOut.Split('\n')[0].Trim();
        Assert.Equal(inProcess, first);
        Assert.Equal(first, second);
        Assert.NotEqual(first.Split(' ')[1], other.Split(' ')[1]);
    }

    [Fact]
    public void OutWritesTheFourCsvFiles()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hasim-run-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            var output = CliProcess.Run("run", "--duration", "3s", "--warmup", "0s", "--out", directory);
            Assert.True(output.ExitCode == 0, output.StdErr);
            var summary = File.ReadAllLines(Path.Combine(directory, "summary.csv"));
            Assert.Equal(2, summary.Length);
            Assert.StartsWith("model,seed,trace,measured_s,warmup_s,commits,throughput_per_s,commit_latency_mean_us,commit_latency_p50_us", summary[0], StringComparison.Ordinal);
            Assert.StartsWith("lesson,1,", summary[1], StringComparison.Ordinal);
            Assert.Equal(3, File.ReadAllLines(Path.Combine(directory, "standbys.csv")).Length);
            var lag = File.ReadAllLines(Path.Combine(directory, "lag.csv"));
            Assert.Equal(1 + 3 * 2, lag.Length); // a row per standby per second
            Assert.StartsWith("lesson,1,1,pg2,", lag[1], StringComparison.Ordinal);
            var histogram = File.ReadAllLines(Path.Combine(directory, "commit_latency_histogram.csv"));
            Assert.EndsWith(",1", histogram[^1], StringComparison.Ordinal); // cumulative fraction reaches 1
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void EveryModelInModelsRuns()
    {
        var models = Path.Combine(RepositoryRoot(), "models");
        foreach (var file in Directory.GetFiles(models, "*.yaml").Order(StringComparer.Ordinal))
        {
            var output = CliProcess.Run("run", file, "--duration", "2s", "--warmup", "1s");
            Assert.True(output.ExitCode == 0, file + ": " + output.StdErr);
            Assert.Matches(@"[1-9][0-9,]* commits", output.StdOut);
        }
    }

    [Fact]
    public void AMalformedModelNamesFileLineAndColumnAndExitsWithTwo()
    {
        var file = Path.Combine(Path.GetTempPath(), "hasim-bad-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".yaml");
        File.WriteAllText(file, "regions:\n  - name: r\n    zones: [a]\nnodes:\n  - { name: p, zone: a, role: primary }\nreplication:\n  synchronous_comit: on\nworkload:\n  rate: 10\n");
        try
        {
            var output = CliProcess.Run("run", file);
            Assert.Equal(2, output.ExitCode);
            Assert.Contains(file + ":7:3: unknown key 'synchronous_comit'", output.StdErr, StringComparison.Ordinal);
            Assert.Contains("synchronous_commit", output.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("no/such/model.yaml", "no/such/model.yaml")]
    [InlineData("--duration", "unknown unit")]
    [InlineData("--rate", "positive number")]
    [InlineData("--bogus", "--bogus")]
    public void BadArgumentsExitWithTwo(string argument, string fragment)
    {
        string[] args = argument switch
        {
            "--duration" => ["run", "--duration", "10 fortnights"],
            "--rate" => ["run", "--rate", "-5"],
            "--bogus" => ["run", "--bogus"],
            _ => ["run", argument],
        };
        var output = CliProcess.Run(args);
        Assert.Equal(2, output.ExitCode);
        Assert.Contains(fragment, output.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void FaultsCanBeGivenOnTheCommandLine()
    {
        // The synchronous standby's zone is cut off for 20 s (less than wal_sender_timeout):
        // commits wait the whole 20 s for it.
        var output = CliProcess.Run("run", "--duration", "1m", "--fault", "{zone_outage: use1-az2, at: 20s, for: 20s}");
        Assert.True(output.ExitCode == 0, output.StdErr);
        Assert.Contains("partition pg2 -> pg1,pg3 at 20s for 20s", output.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+\S+\s+\S+\s+\S+\s+\S+\s+(19\.\d|20\.0)s\s+\S+\r?\n", output.StdOut); // max commit latency ~20 s

        var bad = CliProcess.Run("run", "--fault", "{zone_outage: use1-az9, at: 20s}");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--fault #1:1:15: zone_outage: unknown zone 'use1-az9' (did you mean 'use1-az1'?)", bad.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailedRunSaysWhyAndHowToReplayIt()
    {
        var output = CliProcess.Run("run", "--duration", "5s", "--seed", "3", "--max-events", "5000");
        Assert.Equal(1, output.ExitCode);
        Assert.Contains("bound of 5000 events", output.StdErr, StringComparison.Ordinal);
        Assert.Contains("replay: hasim run --seed 3 --duration 5s --warmup 5s --rate 2000 --max-events 5000", output.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void MemoryDoesNotGrowWithSimulatedTime()
    {
        // A simulated hour may use at most 10% more peak memory than a simulated minute: all
        // measurements are fixed-size histograms and every queue is bounded by what is in flight.
        static double PeakMegabytes(string duration)
        {
            var output = CliProcess.Run("run", "--duration", duration, "--warmup", "0s", "--perf");
            Assert.True(output.ExitCode == 0, output.StdErr);
            var match = PeakMemory().Match(output.StdErr);
            Assert.True(match.Success, output.StdErr);
            return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        var minute = PeakMegabytes("1m");
        var hour = PeakMegabytes("1h");
        Assert.True(hour <= minute * 1.10, $"peak memory: {minute} MB for a minute, {hour} MB for an hour");
    }

    [GeneratedRegex(@"peak memory ([0-9.]+) MB")]
    private static partial Regex PeakMemory();

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "HaSim.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new DirectoryNotFoundException("HaSim.sln not found above " + AppContext.BaseDirectory);
    }
}
