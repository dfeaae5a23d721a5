using HaSim.Kernel;
using HaSim.Kernel.Reference;
using HaSim.Primitives;

namespace HaSim.Cli.Tests;

/// <summary>
/// DESIGN.md's promise: the same seed gives the same trace hash, in one process and across
/// processes (string hashing and hash-collection order differ per process, so only a second
/// process catches a dependency on them); a different seed gives a different hash.
/// </summary>
public class DeterminismTests
{
    private static readonly SingleServerQueueParameters Rates = new(900, 1000);
    private static readonly Duration Horizon = Duration.Parse("20s");

    private static string InProcessFingerprint(ulong seed)
    {
        var trace = new Trace();
        var result = new SingleServerQueue(Rates, seed, trace).Run(Horizon);
        Assert.True(trace.Count > 30_000, "the run should record tens of thousands of state changes");
        return Trace.FormatFingerprint(seed, result.TraceHash);
    }

    private static string OtherProcessFingerprint(ulong seed)
    {
        var output = CliProcess.Run("queue", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--arrival-rate", "900", "--service-rate", "1000", "--duration", Horizon.ToString());
        Assert.True(output.ExitCode == 0, output.StdErr);
        return output.StdOut.Split('\n')[0].Trim();
    }

    [Fact]
    public void SameSeedSameTraceInOneProcess()
    {
        Assert.Equal(InProcessFingerprint(42), InProcessFingerprint(42));
    }

    [Fact]
    public void SameSeedSameTraceAcrossProcesses()
    {
        var inProcess = InProcessFingerprint(42);
        var first = OtherProcessFingerprint(42);
        var second = OtherProcessFingerprint(42);
        Assert.Equal(inProcess, first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentTraces()
    {
        var hashes = Enumerable.Range(1, 20).Select(s => InProcessFingerprint((ulong)s).Split(' ')[1]).ToArray();
        Assert.Equal(hashes.Length, hashes.Distinct(StringComparer.Ordinal).Count());
        Assert.NotEqual(OtherProcessFingerprint(1).Split(' ')[1], OtherProcessFingerprint(2).Split(' ')[1]);
    }
}
