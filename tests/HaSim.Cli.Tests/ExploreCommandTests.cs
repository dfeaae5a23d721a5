using System.Text.RegularExpressions;

namespace HaSim.Cli.Tests;

/// <summary><c>hasim explore</c> end to end: the report, the exit code, and repro files that replay.</summary>
public partial class ExploreCommandTests
{
    private static string Model(string name) => Path.Combine(RunCommandTests.RepositoryRoot(), "models", name + ".yaml");

    [Fact]
    public void ViolationsAreReportedWithAReproThatReplaysTheSameTrace()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"hasim-explore-{Guid.NewGuid():N}");
        try
        {
            var output = CliProcess.Run("explore", Model("failover-crash-async"), "--seeds", "8", "--fault-phase", "90s", "--out", directory);
            var summary = SeedsWithViolations().Match(output.StdOut);
            Assert.True(summary.Success, output.StdOut + output.StdErr);
            var violating = int.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(violating > 0 ? 1 : 0, output.ExitCode);
            Assert.Equal(1 + 8, File.ReadAllLines(Path.Combine(directory, "explore.csv")).Length);
            Assert.Contains("durability", output.StdOut, StringComparison.Ordinal);

            var reported = ReplayLine().Matches(output.StdOut);
            Assert.Equal(violating, reported.Count);
            if (reported.Count > 0)
            {
                var first = reported[0];
                var replay = CliProcess.Run("run", first.Groups["repro"].Value, "--seed", first.Groups["seed"].Value);
                Assert.StartsWith(first.Groups["fingerprint"].Value, replay.StdOut, StringComparison.Ordinal);
            }
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
    public void AModelWithoutFailoverExitsWithTwo()
    {
        var output = CliProcess.Run("explore", Model("lesson"), "--seeds", "1");
        Assert.Equal(2, output.ExitCode);
        Assert.Contains("needs a model with a failover section", output.StdErr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"explored \d+ seeds of .* \(\d+ seeds/min\): (\d+) with violations")]
    private static partial Regex SeedsWithViolations();

    [GeneratedRegex(@"(?<fingerprint>seed=(?<seed>\d+) trace=[0-9a-f]{16}) [^\n]*\n  replay: hasim run (?<repro>\S+) --seed \k<seed>\n  explain: hasim replay \k<repro> --seed \k<seed>\n")]
    private static partial Regex ReplayLine();
}
