using System.Globalization;

namespace HaSim.Cli.Tests;

/// <summary><c>hasim sweep</c> and <c>hasim merge</c> end to end: killed and resumed, sharded and merged.</summary>
public sealed class SweepCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hasim-sweep-cli-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);

    public SweepCommandTests()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Experiment, $$"""
            name: cli-sweep
            model: {{Path.Combine(RunCommandTests.RepositoryRoot(), "models", "lesson.yaml")}}
            seeds: 6
            set: { duration: 5s, warmup: 1s }
            grid:
              workload.rate: [1000, 2000, 3000]
            """);
    }

    private string Experiment => Path.Combine(_root, "experiment.yaml");

    private string Dir(string name) => Path.Combine(_root, name);

    private static string Runs(string directory) => File.ReadAllText(Path.Combine(directory, "runs.csv"));

    [Fact]
    public void ASweepKilledMidwayResumesWithTheSameCommandAndLosesAndDuplicatesNothing()
    {
        var clean = CliProcess.Run("sweep", Experiment, "--out", Dir("clean"));
        Assert.True(clean.ExitCode == 0, clean.StdErr);
        Assert.Contains("3 configurations x 6 seeds = 18 runs", clean.StdOut, StringComparison.Ordinal);

        var journal = Path.Combine(Dir("killed"), "runs.journal");
        using (var process = CliProcess.Start("sweep", Experiment, "--out", Dir("killed"), "--jobs", "1"))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (DoneRuns(journal) < 4 && !process.HasExited && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
            Assert.False(process.HasExited, "the sweep finished before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var before = DoneRuns(journal);
        Assert.InRange(before, 4, 17);

        var resumed = CliProcess.Run("sweep", Experiment, "--out", Dir("killed"));
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains("resumed", resumed.StdErr, StringComparison.Ordinal);
        Assert.Equal(18, File.ReadAllLines(journal).Length);
        Assert.Equal(Runs(Dir("clean")), Runs(Dir("killed")));
        Assert.Equal(File.ReadAllText(Path.Combine(Dir("clean"), "stats.csv")), File.ReadAllText(Path.Combine(Dir("killed"), "stats.csv")));
    }

    [Fact]
    public void ShardsOnSeveralMachinesMergeIntoTheSingleMachineOutputs()
    {
        Assert.Equal(0, CliProcess.Run("sweep", Experiment, "--out", Dir("whole")).ExitCode);
        for (var i = 0; i < 4; i++)
        {
            var shard = CliProcess.Run("sweep", Experiment, "--shard", $"{i}/4", "--out", Dir($"shard{i}"));
            Assert.True(shard.ExitCode == 0, shard.StdErr);
            Assert.Contains($"shard {i}/4 done", shard.StdOut, StringComparison.Ordinal);
        }
        var merged = CliProcess.Run("merge", Experiment, Dir("shard0"), Dir("shard1"), Dir("shard2"), Dir("shard3"), "--out", Dir("merged"));
        Assert.True(merged.ExitCode == 0, merged.StdErr);
        foreach (var file in new[] { "runs.csv", "stats.csv", "latency_cdf.csv" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(Dir("whole"), file)), File.ReadAllText(Path.Combine(Dir("merged"), file)));
        }

        var incomplete = CliProcess.Run("merge", Experiment, Dir("shard0"), "--out", Dir("bad"));
        Assert.Equal(2, incomplete.ExitCode);
        Assert.Contains("are in none of the shards", incomplete.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--shard", "4/4", "--shard: expected i/n")]
    [InlineData("--jobs", "0", "--jobs: 0")]
    public void BadOptionsExitWithTwo(string option, string value, string fragment)
    {
        var output = CliProcess.Run("sweep", Experiment, option, value, "--out", Dir("x"));
        Assert.Equal(2, output.ExitCode);
        Assert.Contains(fragment, output.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadExperimentNamesItsFileLineAndColumn()
    {
        File.WriteAllText(Experiment, "model: nowhere.yaml\nseeds: 2\ngrid:\n  workload.rate: [1]\n");
        var output = CliProcess.Run("sweep", Experiment);
        Assert.Equal(2, output.ExitCode);
        Assert.Contains("experiment.yaml:1:8: model: cannot read the base model", output.StdErr, StringComparison.Ordinal);
    }

    private static int DoneRuns(string journal)
    {
        if (!File.Exists(journal))
        {
            return 0;
        }
        using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Count(c => c == '\n');
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
