using System.Diagnostics;

namespace HaSim.Cli.Tests;

/// <summary>Runs the hasim CLI as a child process, the way a user does, and captures what it prints.</summary>
internal static class CliProcess
{
    public sealed record Output(int ExitCode, string StdOut, string StdErr);

    public static Output Run(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("hasim " + string.Join(' ', args) + " did not finish in 2 minutes");
        }
        return new Output(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts hasim with <paramref name="args"/> and returns the running process (its output redirected).</summary>
    public static Process Start(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "hasim.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("hasim.dll was not copied next to the tests", dll);
        }
        // The SDK tells test hosts where the dotnet executable is; fall back to PATH.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("could not start " + dotnet);
    }
}
