using System.Text.Json;
using HaSim.Experiments.Replay;

namespace HaSim.Cli.Tests;

/// <summary><c>hasim replay</c> end to end: the fingerprint hasim run prints, the verdicts, the three files, the exit codes.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"hasim-replay-cli-{Guid.NewGuid():N}");

    private static string Model(string name) => Path.Combine(RunCommandTests.RepositoryRoot(), "models", name + ".yaml");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void AViolatingReplayPrintsTheRunsFingerprintTheVerdictsAndWritesTheFilesAndExitsWithOne()
    {
        var output = Path.Combine(_directory, "vm-pause");
        var replay = CliProcess.Run("replay", Model("failover-vm-pause"), "--seed", "1", "--out", output);
        var run = CliProcess.Run("run", Model("failover-vm-pause"), "--seed", "1");
        Assert.Equal(1, replay.ExitCode);
        var fingerprint = run.StdOut.Split('\n')[0].Trim();
        Assert.Matches(@"^seed=1 trace=[0-9a-f]{16}$", fingerprint);
        Assert.Equal(fingerprint, replay.StdOut.Split('\n')[0].Trim());

        Assert.Contains("t=  88.357s  TWO WRITABLE PRIMARIES: pg1 (its machine paused) and pg2", replay.StdOut, StringComparison.Ordinal);
        Assert.Contains("  single writer: VIOLATED", replay.StdOut, StringComparison.Ordinal);
        Assert.Contains("  durability: holds", replay.StdOut, StringComparison.Ordinal);
        Assert.Contains("  VIOLATION single-writer at t=92.023s: split brain: pg1 (timeline 1) and pg2 (timeline 2)", replay.StdOut, StringComparison.Ordinal);
        Assert.Contains("invariants violated: single-writer", replay.StdOut, StringComparison.Ordinal);
        Assert.Contains($"replay: hasim replay {Model("failover-vm-pause")} --seed 1", replay.StdOut, StringComparison.Ordinal);

        var narrative = File.ReadAllText(Path.Combine(output, "narrative.txt"));
        Assert.StartsWith($"hasim replay {Model("failover-vm-pause")} --seed 1\n{fingerprint}\n", narrative, StringComparison.Ordinal);
        using (var trace = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "trace.json"))))
        {
            Assert.True(trace.RootElement.GetProperty("traceEvents").GetArrayLength() > 100);
        }
        Assert.True(new FileInfo(Path.Combine(output, "timeline.png")).Length > 10_000);

        // The figure a fresh process draws first is the one a process that has drawn before draws.
        Replayer.Write(Replayer.Run(Model("failover-vm-pause"), 1), Path.Combine(_directory, "warm-up"));
        var inProcess = Replayer.Write(Replayer.Run(Model("failover-vm-pause"), 1), Path.Combine(_directory, "in-process"));
        Assert.Equal(File.ReadAllBytes(inProcess.TimelineFile), File.ReadAllBytes(Path.Combine(output, "timeline.png")));
        Assert.Equal(File.ReadAllBytes(inProcess.ChromeTraceFile), File.ReadAllBytes(Path.Combine(output, "trace.json")));
    }

    [Fact]
    public void AReplayWhoseInvariantsHoldExitsWithZeroAndTheSeedComesFromTheRepro()
    {
        Directory.CreateDirectory(_directory);
        var repro = Path.Combine(_directory, "repro.yaml");
        File.Copy(Path.Combine(RunCommandTests.RepositoryRoot(), "tests", "HaSim.Experiments.Tests", "Exploration", "regressions", "overlapping-crashes-restart-once.yaml"), repro);
        var replay = CliProcess.Run("replay", repro);
        Assert.True(replay.ExitCode == 0, replay.StdOut + replay.StdErr);
        Assert.Equal(CliProcess.Run("run", repro, "--seed", "41").StdOut.Split('\n')[0], replay.StdOut.Split('\n')[0]);
        Assert.StartsWith("seed=41 trace=", replay.StdOut, StringComparison.Ordinal);
        Assert.Contains("every invariant holds", replay.StdOut, StringComparison.Ordinal);
        // Written beside the repro by default.
        foreach (var file in new[] { "narrative.txt", "trace.json", "timeline.png" })
        {
            Assert.True(File.Exists(Path.Combine(_directory, "repro-replay", file)), file);
        }
    }

    [Fact]
    public void BadInputExitsWithTwoAndNamesTheFile()
    {
        Directory.CreateDirectory(_directory);
        var noSeed = CliProcess.Run("replay", Model("failover-vm-pause"), "--out", _directory);
        Assert.Equal(2, noSeed.ExitCode);
        Assert.Contains("failover-vm-pause.yaml: records no seed", noSeed.StdErr, StringComparison.Ordinal);

        var noFailover = CliProcess.Run("replay", Model("lesson"), "--seed", "1", "--out", _directory);
        Assert.Equal(2, noFailover.ExitCode);
        Assert.Contains("lesson.yaml: replaying explains a failover run", noFailover.StdErr, StringComparison.Ordinal);

        var broken = Path.Combine(_directory, "broken.yaml");
        File.WriteAllText(broken, "# Replay it: hasim run broken.yaml --seed 3\nname: broken\nnodes: [\n");
        var malformed = CliProcess.Run("replay", broken);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Matches(@"broken\.yaml:\d+:\d+: ", malformed.StdErr);

        var missing = CliProcess.Run("replay", Path.Combine(_directory, "missing.yaml"), "--seed", "1");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("missing.yaml: cannot read the repro file", missing.StdErr, StringComparison.Ordinal);

        var badSeed = CliProcess.Run("replay", Model("failover-vm-pause"), "--seed", "one");
        Assert.Equal(2, badSeed.ExitCode);
        Assert.DoesNotContain("   at ", badSeed.StdErr, StringComparison.Ordinal);
    }
}
