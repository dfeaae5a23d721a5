namespace HaSim.Cli.Tests;

public class QueueCommandTests
{
    [Fact]
    public void PrintsTheFingerprintAndTheComparisonWithTheory()
    {
        var output = CliProcess.Run("queue", "--seed", "3", "--duration", "30s");
        Assert.Equal(0, output.ExitCode);
        Assert.Matches(@"^seed=3 trace=[0-9a-f]{16}\r?\n", output.StdOut);
        Assert.Contains("mean time in system (ms)", output.StdOut, StringComparison.Ordinal);
        Assert.Equal("", output.StdErr);
    }

    [Theory]
    [InlineData("--duration", "5x", "unknown unit 'x'")]
    [InlineData("--duration", "-5s", "must be positive")]
    [InlineData("--arrival-rate", "2000", "stable queue")]
    public void BadInputExitsWithCodeTwoAndAClearMessage(string option, string value, string fragment)
    {
        var output = CliProcess.Run("queue", option, value);
        Assert.Equal(2, output.ExitCode);
        Assert.Contains(fragment, output.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output.StdErr, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public void HittingTheEventBoundIsAReportedFailureWithAReplayCommand()
    {
        var output = CliProcess.Run("queue", "--seed", "9", "--max-events", "1000");
        Assert.Equal(1, output.ExitCode);
        Assert.Contains("bound of 1000 events", output.StdErr, StringComparison.Ordinal);
        Assert.Contains("replay: hasim queue --seed 9", output.StdErr, StringComparison.Ordinal);
    }
}
