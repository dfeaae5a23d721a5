using System.Diagnostics;
using System.Text.Json;

namespace HaSim.Cli.Tests;

/// <summary>Each notebook runs headless (dotnet-repl, from the repository's tool manifest) over a small sweep of its experiment, and no cell fails.</summary>
public class NotebookTests
{
    [Theory]
    [InlineData("sync-vs-async-vs-quorum", "ANY 1 of 2 p99 is")]
    [InlineData("failover-timing", "runs without a fault: 0 promotions")]
    [InlineData("multi-az-vs-multi-region", "rate x one-way delay")]
    public void TheNotebookRunsWithoutAFailingCell(string name, string expectedOutput)
    {
        var root = RunCommandTests.RepositoryRoot();
        var work = Path.Combine(Path.GetTempPath(), $"hasim-notebook-{name}-{Guid.NewGuid():N}");
        try
        {
            var results = Path.Combine(work, "results");
            var sweep = CliProcess.Run("sweep", Path.Combine(root, "experiments", name, "experiment.yaml"), "--seeds", "2", "--out", results);
            Assert.True(sweep.ExitCode == 0, sweep.StdErr);

            Assert.Equal(0, Dotnet(root, null, "tool", "restore").ExitCode);
            var executed = Path.Combine(work, name + ".ipynb");
            var run = Dotnet(root, new() { ["HASIM_RESULTS_DIR"] = results, ["HASIM_NOTEBOOK_OUTPUT"] = Path.Combine(work, "figures") },
                "tool", "run", "dotnet-repl", "--run", Path.Combine(root, "notebooks", name + ".ipynb"), "--exit-after-run", "--output-path", executed);
            var outputs = File.Exists(executed) ? Outputs(executed) : "";
            Assert.True(run.ExitCode == 0, $"dotnet-repl exited with {run.ExitCode}: {run.StdErr}\n{outputs}");
            Assert.Contains(expectedOutput, outputs, StringComparison.Ordinal);
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(work, "figures"), "*.png"));
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>The text every cell printed, from the executed notebook.</summary>
    private static string Outputs(string notebook)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(notebook));
        var text = new System.Text.StringBuilder();
        foreach (var cell in document.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (!cell.TryGetProperty("outputs", out var outputs))
            {
                continue;
            }
            foreach (var output in outputs.EnumerateArray())
            {
                if (output.TryGetProperty("text", out var lines))
                {
                    foreach (var line in lines.EnumerateArray())
                    {
                        text.Append(line.GetString());
                    }
                }
            }
        }
        return text.ToString();
    }

    private static CliProcess.Output Dotnet(string workingDirectory, Dictionary<string, string>? environment, params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet " + string.Join(' ', args) + " did not finish in 5 minutes");
        }
        return new CliProcess.Output(process.ExitCode, stdout.Result, stderr.Result);
    }
}
