using System.Text.RegularExpressions;

namespace HaSim.Cli.Tests;

/// <summary><c>hasim shrink</c> end to end: the shrunk repro, and the commands that replay and explain it with the fingerprint it printed.</summary>
public sealed partial class ShrinkCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"hasim-shrink-cli-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void TheShrunkReproReplaysAndIsExplainedWithThePrintedFingerprint()
    {
        Directory.CreateDirectory(_directory);
        var repro = Path.Combine(_directory, "vm.yaml");
        File.WriteAllText(repro, File.ReadAllText(Path.Combine(RunCommandTests.RepositoryRoot(), "models", "failover-vm-pause.yaml")) + """
              - { crash: pg3, at: 150s, for: 10s }
            """);
        var shrink = CliProcess.Run("shrink", repro, "--seed", "1");
        Assert.True(shrink.ExitCode == 0, shrink.StdOut + shrink.StdErr);
        var summary = Summary().Match(shrink.StdOut);
        Assert.True(summary.Success, shrink.StdOut);
        var shrunk = Path.Combine(_directory, "vm-shrunk.yaml");
        Assert.Contains($"replay: hasim run {shrunk} --seed 1\n", shrink.StdOut, StringComparison.Ordinal);
        Assert.Contains($"explain: hasim replay {shrunk} --seed 1\n", shrink.StdOut, StringComparison.Ordinal);
        Assert.Contains("shrink: moved pause of pg1 from 1m to ", shrink.StdErr, StringComparison.Ordinal);
        Assert.Contains("shrink: halved the workload rate from 200/s to 100/s", shrink.StdErr, StringComparison.Ordinal);

        var fingerprint = summary.Groups["fingerprint"].Value;
        Assert.StartsWith(fingerprint + "\n", CliProcess.Run("run", shrunk, "--seed", "1").StdOut, StringComparison.Ordinal);
        var replay = CliProcess.Run("replay", shrunk); // the seed from the shrunk file's header
        Assert.Equal(1, replay.ExitCode);
        Assert.StartsWith(fingerprint + "\n", replay.StdOut, StringComparison.Ordinal);
        Assert.Contains("invariants violated: single-writer", replay.StdOut, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^single-writer still violated with 1 of 2 faults, after \d+ runs: (?<fingerprint>seed=1 trace=[0-9a-f]{16})\n", RegexOptions.Multiline)]
    private static partial Regex Summary();
}
