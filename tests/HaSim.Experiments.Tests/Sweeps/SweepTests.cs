using System.Text;
using HaSim.Experiments.Sweeps;

namespace HaSim.Experiments.Tests.Sweeps;

public sealed class SweepTests : IDisposable
{
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "models");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hasim-sweep-tests-" + Guid.NewGuid().ToString("N"));

    private static Experiment Small() => ExperimentLoader.LoadText("""
        name: small
        model: lesson.yaml
        seeds: 3
        set: { duration: 2s, warmup: 500ms }
        grid:
          design:
            async: { replication.synchronous_standby_names: null }
            first1: { replication.synchronous_standby_names: 'FIRST 1 (pg2)' }
          workload.rate: [500, 1000]
        """, "small.yaml", Models);

    private string Dir(string name) => Path.Combine(_root, name);

    private static string[] Outputs(string directory) =>
        [.. new[] { SweepOutputs.RunsFile, SweepOutputs.StatsFile, SweepOutputs.LatencyCdfFile }.Select(f => File.ReadAllText(Path.Combine(directory, f)))];

    [Fact]
    public void AParallelSweepWritesTheSameBytesAsASerialOne()
    {
        var experiment = Small();
        Sweep.Run(experiment, Dir("serial"), Shard.Whole, jobs: 1);
        Sweep.Run(experiment, Dir("parallel"), Shard.Whole, jobs: 4);
        Assert.Equal(Outputs(Dir("serial")), Outputs(Dir("parallel")));
        var runs = File.ReadAllLines(Path.Combine(Dir("serial"), SweepOutputs.RunsFile));
        Assert.Equal(1 + 12, runs.Length);
        Assert.StartsWith("experiment,config,design,workload.rate,seed,trace,commits,", runs[0], StringComparison.Ordinal);
        Assert.StartsWith("small,0,async,500,1,", runs[1], StringComparison.Ordinal);
        Assert.StartsWith("small,3,first1,1000,3,", runs[12], StringComparison.Ordinal);
    }

    [Fact]
    public void ShardsMergeIntoExactlyWhatOneMachineWrites()
    {
        var experiment = Small();
        Sweep.Run(experiment, Dir("whole"), Shard.Whole, jobs: 2);
        string[] shards = [Dir("s0"), Dir("s1"), Dir("s2")];
        for (var i = 0; i < 3; i++)
        {
            var records = Sweep.Run(experiment, shards[i], new Shard(i, 3), jobs: 1);
            Assert.Equal(4, records.Count);
            Assert.False(File.Exists(Path.Combine(shards[i], SweepOutputs.RunsFile))); // a shard alone writes no outputs
        }
        Sweep.Merge(experiment, Dir("merged"), shards);
        Assert.Equal(Outputs(Dir("whole")), Outputs(Dir("merged")));

        var missing = Assert.Throws<SweepException>(() => Sweep.Merge(experiment, Dir("partial"), shards[..2]));
        Assert.Contains("4 of 12 runs are in none of the shards", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AResumedSweepSkipsFinishedRunsRepeatsNoneAndCutsATornLine()
    {
        var experiment = Small();
        var directory = Dir("resume");
        Sweep.Run(experiment, Dir("clean"), Shard.Whole, jobs: 2);
        Sweep.Run(experiment, directory, Shard.Whole, jobs: 2);
        // Keep the first five finished runs and half of the sixth, as a kill mid-write would.
        var journal = Path.Combine(directory, SweepJournal.FileName);
        var lines = File.ReadAllText(journal).Split('\n');
        File.WriteAllText(journal, string.Join('\n', lines[..5]) + "\n" + lines[5][..(lines[5].Length / 2)], new UTF8Encoding(false));
        foreach (var output in new[] { SweepOutputs.RunsFile, SweepOutputs.StatsFile, SweepOutputs.LatencyCdfFile })
        {
            File.Delete(Path.Combine(directory, output));
        }

        var progress = new List<SweepProgress>();
        Sweep.Run(experiment, directory, Shard.Whole, jobs: 2, progress.Add);
        Assert.Equal(5, progress[0].Resumed);
        Assert.Equal(12, progress[^1].Done);
        Assert.Equal(12, File.ReadAllLines(journal).Length);
        Assert.Equal(12, SweepJournal.Read(journal).Select(r => r.Key).Distinct().Count());
        Assert.Equal(Outputs(Dir("clean")), Outputs(directory));
    }

    [Fact]
    public void ADirectoryOfAnotherPlanIsRefused()
    {
        var experiment = Small();
        Sweep.Run(experiment, Dir("a"), new Shard(0, 2), jobs: 1);
        var error = Assert.Throws<SweepException>(() => Sweep.Run(experiment, Dir("a"), Shard.Whole, jobs: 1));
        Assert.Contains("holds runs of another sweep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunsOfAnotherBuildAreSetAsideAndNeverMerged()
    {
        var experiment = Small();
        var directory = Dir("old-build");
        Sweep.Run(experiment, directory, Shard.Whole, jobs: 2);
        var metadata = Path.Combine(directory, Sweep.MetadataFile);
        File.WriteAllText(metadata, File.ReadAllText(metadata).Replace(Sweep.BuildFingerprint, "0123456789abcdef", StringComparison.Ordinal));

        var notes = new List<string>();
        var progress = new List<SweepProgress>();
        Sweep.Run(experiment, directory, Shard.Whole, jobs: 2, progress.Add, notes.Add);
        Assert.Equal(0, progress[0].Resumed); // nothing reused
        Assert.Contains("another build of HaSim", Assert.Single(notes), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(directory, SweepJournal.FileName + ".build-0123456789abcdef")));

        Sweep.Run(experiment, Dir("s0"), new Shard(0, 2), jobs: 1);
        Sweep.Run(experiment, Dir("s1"), new Shard(1, 2), jobs: 1);
        var shardMetadata = Path.Combine(Dir("s1"), Sweep.MetadataFile);
        File.WriteAllText(shardMetadata, File.ReadAllText(shardMetadata).Replace(Sweep.BuildFingerprint, "0123456789abcdef", StringComparison.Ordinal));
        var error = Assert.Throws<SweepException>(() => Sweep.Merge(experiment, Dir("merged"), [Dir("s0"), Dir("s1")]));
        Assert.Contains("another build of HaSim", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0/1", true)]
    [InlineData("2/3", true)]
    [InlineData("3/3", false)]
    [InlineData("-1/3", false)]
    [InlineData("1", false)]
    [InlineData("a/b", false)]
    public void ShardsParse(string text, bool valid) => Assert.Equal(valid, Shard.TryParse(text, out _, out _));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
