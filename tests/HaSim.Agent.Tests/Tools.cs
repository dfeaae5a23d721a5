using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace HaSim.Agent.Tests;

/// <summary>
/// The real servers the integration tests need (etcd, PostgreSQL 15), where to find them, and
/// how to start and stop processes by pid. Without them the tests are skipped with the reason,
/// unless HASIM_E2E=1 (set by .ci/run, which installs them): then a missing server fails the test.
/// </summary>
internal static class Tools
{
    public static bool Required => Environment.GetEnvironmentVariable("HASIM_E2E") == "1";

    public static string PgBin => Environment.GetEnvironmentVariable("HASIM_PG_BIN") is { Length: > 0 } bin ? bin : "/usr/lib/postgresql/15/bin";

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>PostgreSQL refuses to run as root: the tests run it as this user when they are root.</summary>
    public const string PostgresUser = "postgres";

    public static string? Etcd => FindOnPath("etcd");

    public static void RequireEtcd() => Require(Etcd is not null, "etcd is not installed (Debian: apt-get install etcd-server)");

    public static void RequirePostgres()
    {
        Require(File.Exists(Path.Combine(PgBin, "initdb")) && File.Exists(Path.Combine(PgBin, "pg_ctl")),
            $"PostgreSQL 15 is not installed in {PgBin} (Debian: apt-get install postgresql-15; or set HASIM_PG_BIN)");
        if (IsRoot)
        {
            Require(FindOnPath("runuser") is not null && Run("id", ["-u", PostgresUser], check: false).Exit == 0,
                $"running as root needs runuser and the '{PostgresUser}' system user (created by Debian's postgresql package)");
        }
    }

    private static void Require(bool present, string reason)
    {
        if (!present && Required)
        {
            Assert.Fail($"HASIM_E2E=1 but {reason}");
        }
        Skip.IfNot(present, reason + "; set HASIM_E2E=1 to make this a failure");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/bin", "/sbin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A fresh directory the postgres user can use.</summary>
    public static string TempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), prefix + "-" + Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal));
        Directory.CreateDirectory(dir);
        if (OperatingSystem.IsWindows())
        {
            return dir;
        }
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (IsRoot)
        {
            Run("chown", [PostgresUser + ":", dir]);
        }
        return dir;
    }

    /// <summary>Runs a command to completion (at most two minutes); throws with its output when it fails and <paramref name="check"/>.</summary>
    public static (int Exit, string Output) Run(string file, IReadOnlyList<string> args, bool check = true)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 2 minutes");
        }
        var output = stdout.Result + stderr.Result;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {output}");
        }
        return (process.ExitCode, output);
    }

    /// <summary>Runs a PostgreSQL tool as the postgres user when the tests run as root.</summary>
    public static string RunPg(string tool, params string[] args)
    {
        var path = Path.Combine(PgBin, tool);
        return IsRoot ? Run("runuser", ["-u", PostgresUser, "--", path, .. args]).Output : Run(path, args).Output;
    }

    /// <summary>
    /// Starts a long-running process whose output goes straight to <paramref name="logFile"/>
    /// (through <c>sh -c 'exec ...'</c>, so the pid is the program's own): no pipe through the
    /// test host that could fill up and stall it.
    /// </summary>
    public static Process StartToFile(string file, IReadOnlyList<string> args, string logFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = "/" };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("log=$1; shift; exec \"$@\" >> \"$log\" 2>&1 < /dev/null");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(logFile);
        start.ArgumentList.Add(file);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        return Process.Start(start)!;
    }

    /// <summary>The path of hasim.dll (copied next to the tests) and the dotnet host to run it with.</summary>
    public static (string Dotnet, string Dll) Hasim()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "hasim.dll");
        Assert.True(File.Exists(dll), "hasim.dll was not copied next to the tests");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return (dotnet, dll);
    }

    public const int SigKill = 9;
    public const int SigQuit = 3;
    public const int SigTerm = 15;

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> to one process by its pid.</summary>
    public static void Signal(int pid, int signal) => _ = SysKill(pid, signal);

    /// <summary>Whether a process runs (not a zombie).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Stops a process by pid: <paramref name="first"/>, then SIGKILL if it is still there after <paramref name="grace"/>.</summary>
    public static void Stop(int pid, int first, TimeSpan grace)
    {
        if (!IsAlive(pid))
        {
            return;
        }
        Signal(pid, first);
        var until = DateTime.UtcNow + grace;
        while (IsAlive(pid) && DateTime.UtcNow < until)
        {
            Thread.Sleep(50);
        }
        if (IsAlive(pid))
        {
            Signal(pid, SigKill);
        }
    }

    /// <summary>The live postmaster of a data directory, from postmaster.pid.</summary>
    public static int? PostmasterPid(string dataDir)
    {
        try
        {
            var first = File.ReadLines(Path.Combine(dataDir, "postmaster.pid")).FirstOrDefault();
            return first is not null && int.TryParse(first.Trim(), out var pid) && IsAlive(pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
