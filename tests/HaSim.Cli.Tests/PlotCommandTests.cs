namespace HaSim.Cli.Tests;

/// <summary><c>hasim plot</c> end to end: a figure from a CSV file, and bad input (exit code 2, one line, no stack trace).</summary>
public sealed class PlotCommandTests : IDisposable
{
    private const string Runs =
        "experiment,config,failover.ttl,seed,trace,client_rto_s,lost_commits,failure\n" +
        "ttl,0,10s,1,00000000000000a1,12.5,0,\n" +
        "ttl,0,10s,2,00000000000000a2,14.25,1,\n" +
        "ttl,0,10s,3,00000000000000a3,11,0,\n" +
        "ttl,1,30s,1,00000000000000b1,31.5,0,\n" +
        "ttl,1,30s,2,00000000000000b2,29,2,\n" +
        "ttl,1,30s,3,00000000000000b3,,0,\"liveness: no primary, for 95s\"\n";

    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "hasim-plot-cli-tests", Guid.NewGuid().ToString("N"));

    public PlotCommandTests() => Directory.CreateDirectory(_scratch);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string WriteRuns()
    {
        var path = Path.Combine(_scratch, "runs.csv");
        File.WriteAllText(path, Runs);
        return path;
    }

    [Fact]
    public void DrawsABoxPlotFromRunsCsv()
    {
        var input = WriteRuns();
        var output = Path.Combine(_scratch, "figures", "rto.png");
        var result = CliProcess.Run("plot", "box", "--in", input, "--x", "failover.ttl", "--metric", "client_rto_s", "--out", output, "--width", "800", "--height", "500");

        Assert.Equal("", result.StdErr);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"wrote {output}: ttl: client RTO by failover.ttl", result.StdOut.TrimEnd());
        var bytes = File.ReadAllBytes(output);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.Equal(800, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(500, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));

        // The same command in another process writes the same bytes.
        var again = Path.Combine(_scratch, "again.png");
        Assert.Equal(0, CliProcess.Run("plot", "box", "--in", input, "--x", "failover.ttl", "--metric", "client_rto_s", "--out", again, "--width", "800", "--height", "500").ExitCode);
        Assert.Equal(bytes, File.ReadAllBytes(again));
    }

    [Theory]
    [InlineData("--metric", "client_rto", "runs.csv: --metric: no metric 'client_rto' (did you mean 'client_rto_s'?); metrics: client_rto_s, lost_commits")]
    [InlineData("--x", "ttl", "runs.csv: --x: no parameter 'ttl'; parameters: failover.ttl")]
    [InlineData("--out", "rto.gif", "rto.gif: the extension '.gif'; expected an output file ending in .png or .svg")]
    public void BadInputExitsWithCodeTwoAndOneLine(string option, string value, string message)
    {
        var input = WriteRuns();
        string[] args = ["plot", "box", "--in", input, "--x", "failover.ttl", "--metric", "client_rto_s", "--out", Path.Combine(_scratch, "rto.png")];
        var i = Array.IndexOf(args, option);
        args[i + 1] = option == "--out" ? Path.Combine(_scratch, value) : value;

        var result = CliProcess.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        var line = Assert.Single(result.StdErr.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.EndsWith(message, line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_scratch, "rto.png")));
    }

    [Fact]
    public void AMissingFileAndAMissingOptionExitWithCodeTwo()
    {
        var missing = Path.Combine(_scratch, "latency_cdf.csv");
        var result = CliProcess.Run("plot", "cdf", "--in", missing, "--out", Path.Combine(_scratch, "cdf.svg"));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {missing}: no such file", result.StdErr.TrimEnd());

        result = CliProcess.Run("plot", "lines", "--in", missing, "--out", Path.Combine(_scratch, "l.svg"), "--x", "design");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--metric", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
    }
}
