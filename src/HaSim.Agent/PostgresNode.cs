using System.Diagnostics;
using System.Globalization;
using System.Text;
using HaSim.Primitives;
using Npgsql;
using NpgsqlTypes;

namespace HaSim.Agent;

/// <summary>One row of <c>pg_stat_replication</c> on a primary.</summary>
public sealed record StandbyRow(string ApplicationName, Lsn Flush, string SyncState);

/// <summary>What the local PostgreSQL answered to the status query.</summary>
public sealed record PostgresStatus(
    bool InRecovery,
    Lsn Write,
    Lsn Receive,
    Lsn Replay,
    long Timeline,
    string PrimaryConninfo,
    IReadOnlyList<StandbyRow> Standbys);

/// <summary>Whether PostgreSQL runs and answers, is starting or stopping, or is not running at all.</summary>
public enum PostgresState
{
    Running,
    Starting,
    Stopped,
}

/// <summary>
/// The local PostgreSQL 15, as the agent controls it: status through Npgsql
/// (<c>pg_is_in_recovery()</c>, the current, received and replayed LSN, the timeline,
/// <c>pg_stat_replication</c>), and <c>pg_ctl</c> for start, stop (fast or immediate) and promote;
/// <c>primary_conninfo</c> and <c>synchronous_standby_names</c> with ALTER SYSTEM and a reload
/// while it runs, in postgresql.auto.conf while it is stopped; <c>standby.signal</c> decides
/// whether it starts as a standby; <c>pg_rewind</c> for a former primary that must follow.
/// When the agent runs as root and <see cref="PostgresConfig.RunAs"/> is set, the tools run
/// through <c>runuser</c> and the files written are handed to that user.
/// </summary>
public sealed class PostgresNode(AgentConfig config, Action<string> log)
{
    private readonly PostgresConfig _pg = config.Postgres;
    private readonly MemberAddress _self = config.Member(config.Self);
    private readonly bool _asOtherUser = config.Postgres.RunAs is { } user && user != Environment.UserName && Environment.UserName == "root";

    public string DataDir => _pg.DataDir;

    private string AutoConf => Path.Combine(_pg.DataDir, "postgresql.auto.conf");
    private string StandbySignal => Path.Combine(_pg.DataDir, "standby.signal");
    private string LogFile => _pg.LogFile ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_pg.DataDir))!, config.Name + ".postgresql.log");

    /// <summary>A connection string to a member's PostgreSQL as the superuser (for status, promote, configuration, pg_rewind's source).</summary>
    public string ConnectionString(MemberAddress member, int timeoutSeconds = 2)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = member.Postgres.Host,
            Port = member.Postgres.Port,
            Username = _pg.Superuser.Username,
            Database = "postgres",
            Timeout = timeoutSeconds,
            CommandTimeout = timeoutSeconds,
            Pooling = false,
            ApplicationName = "hasim-agent",
        };
        if (_pg.Superuser.Password is { } password)
        {
            builder.Password = password;
        }
        return builder.ConnectionString;
    }

    /// <summary>The <c>primary_conninfo</c> that streams from <paramref name="leader"/> under this node's name.</summary>
    public string PrimaryConninfo(MemberAddress leader)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"host={leader.Postgres.Host} port={leader.Postgres.Port} user={_pg.Replication.Username} application_name={config.Name}"));
        if (_pg.Replication.Password is { } password)
        {
            text.Append(" password=").Append(QuoteConninfo(password));
        }
        return text.ToString();
    }

    /// <summary>
    /// Which member a <c>primary_conninfo</c> streams from, if it is exactly the one this agent
    /// writes for that member (so a standby set up by hand, say by <c>pg_basebackup -R</c> without
    /// this node's application_name, counts as following nobody and the controller points it anew).
    /// </summary>
    public MemberAddress? Upstream(string conninfo) =>
        config.Members.FirstOrDefault(m => m.Name != config.Name && PrimaryConninfo(m) == conninfo);

    private const string StatusSql = """
        SELECT pg_is_in_recovery(),
               CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END,
               pg_last_wal_receive_lsn(),
               pg_last_wal_replay_lsn(),
               CASE WHEN pg_is_in_recovery()
                    THEN COALESCE((SELECT received_tli FROM pg_stat_wal_receiver), (SELECT timeline_id FROM pg_control_checkpoint()))
                    ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
               current_setting('primary_conninfo')
        """;

    private const string StandbysSql = "SELECT application_name, flush_lsn, sync_state FROM pg_stat_replication WHERE state = 'streaming'";

    /// <summary>Asks the local PostgreSQL for its status; null with the state when it cannot answer.</summary>
    public async Task<(PostgresState State, PostgresStatus? Status, string? Error)> QueryAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString(_self));
            await connection.OpenAsync(ct).ConfigureAwait(false);
            PostgresStatus status;
            await using (var command = new NpgsqlCommand(StatusSql, connection))
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                status = new PostgresStatus(
                    reader.GetBoolean(0), LsnAt(reader, 1), LsnAt(reader, 2), LsnAt(reader, 3),
                    reader.IsDBNull(4) ? 0 : reader.GetInt32(4), reader.GetString(5), []);
            }
            if (!status.InRecovery)
            {
                var standbys = new List<StandbyRow>();
                await using var command = new NpgsqlCommand(StandbysSql, connection);
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    standbys.Add(new StandbyRow(reader.IsDBNull(0) ? "" : reader.GetString(0), LsnAt(reader, 1), reader.IsDBNull(2) ? "" : reader.GetString(2)));
                }
                status = status with { Standbys = standbys };
            }
            return (PostgresState.Running, status, null);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or IOException)
        {
            // 57P03 cannot_connect_now: starting up, shutting down, or not yet consistent.
            var state = IsPostmasterAlive() ? PostgresState.Starting : PostgresState.Stopped;
            return (state, null, e.Message);
        }
    }

    private static Lsn LsnAt(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? Lsn.Zero : new Lsn((ulong)reader.GetFieldValue<NpgsqlLogSequenceNumber>(column));

    /// <summary>The postmaster's pid from <c>postmaster.pid</c>, if that process is alive (not a zombie).</summary>
    public int? PostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(_pg.DataDir, "postmaster.pid")).FirstOrDefault();
            if (first is null || !int.TryParse(first.Trim(), CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is "Z" or "X" ? null : pid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public bool IsPostmasterAlive() => PostmasterPid() is not null;

    /// <summary>Whether the data directory was last set up to start as a standby.</summary>
    public bool HasStandbySignal => File.Exists(StandbySignal);

    /// <summary>
    /// Starts PostgreSQL: as a primary (no standby.signal), or as a standby streaming from
    /// <paramref name="follow"/> (none: a standby following nobody, read-only). Listens on the
    /// member's address whatever postgresql.conf says (pg_basebackup and pg_rewind copy another node's).
    /// </summary>
    public async Task<bool> StartAsync(bool asPrimary, MemberAddress? follow, CancellationToken ct)
    {
        if (IsPostmasterAlive())
        {
            log("start: PostgreSQL is already running");
            return true;
        }
        if (asPrimary)
        {
            File.Delete(StandbySignal);
        }
        else
        {
            await WriteOwnedFileAsync(StandbySignal, "", ct).ConfigureAwait(false);
        }
        await SetAutoConfAsync(new Dictionary<string, string?>
        {
            ["primary_conninfo"] = asPrimary || follow is null ? "" : PrimaryConninfo(follow),
        }, ct).ConfigureAwait(false);
        var options = $"-c listen_addresses={_self.Postgres.Host} -c port={_self.Postgres.Port.ToString(CultureInfo.InvariantCulture)}";
        return await PgCtlAsync(ct, "start", "-D", _pg.DataDir, "-w", "-t", TimeoutSeconds, "-l", LogFile, "-o", options).ConfigureAwait(false);
    }

    /// <summary><c>pg_ctl stop</c> in the given mode; true once it is down.</summary>
    public async Task<bool> StopAsync(bool immediate, CancellationToken ct)
    {
        if (!IsPostmasterAlive())
        {
            return true;
        }
        await PgCtlAsync(ct, "stop", "-D", _pg.DataDir, "-m", immediate ? "immediate" : "fast", "-w", "-t", TimeoutSeconds).ConfigureAwait(false);
        return !IsPostmasterAlive();
    }

    /// <summary><c>pg_ctl promote -w</c>: returns once the node has left recovery and accepts writes.</summary>
    public Task<bool> PromoteAsync(CancellationToken ct) =>
        PgCtlAsync(ct, "promote", "-D", _pg.DataDir, "-w", "-t", TimeoutSeconds);

    /// <summary>
    /// <c>pg_rewind</c> from <paramref name="source"/>: makes a former primary's data directory a
    /// prefix of the source's history (a no-op when it already is). PostgreSQL 13+ finishes crash
    /// recovery of an uncleanly stopped target itself first.
    /// </summary>
    public async Task<bool> RewindAsync(MemberAddress source, CancellationToken ct)
    {
        var ok = await RunToolAsync(Path.Combine(_pg.BinDir, "pg_rewind"), ct,
            "-D", _pg.DataDir, "--source-server", ConnectionStringForTools(source)).ConfigureAwait(false);
        // pg_rewind copies the source's configuration, its synchronous_standby_names included.
        await SetAutoConfAsync(new Dictionary<string, string?> { ["synchronous_standby_names"] = null }, ct).ConfigureAwait(false);
        return ok;
    }

    /// <summary>Points <c>primary_conninfo</c> at <paramref name="leader"/> (null: nobody) with ALTER SYSTEM and a reload (PostgreSQL 13+ reloads it).</summary>
    public async Task FollowAsync(MemberAddress? leader, CancellationToken ct)
    {
        var conninfo = leader is null ? "" : PrimaryConninfo(leader);
        await AlterSystemAsync("primary_conninfo", conninfo, ct).ConfigureAwait(false);
    }

    public Task SetSynchronousStandbyNamesAsync(string text, CancellationToken ct) =>
        AlterSystemAsync("synchronous_standby_names", text, ct);

    private async Task AlterSystemAsync(string name, string value, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(_self, timeoutSeconds: 5));
        await connection.OpenAsync(ct).ConfigureAwait(false);
        var literal = "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
        await using (var alter = new NpgsqlCommand($"ALTER SYSTEM SET {name} = {literal}", connection))
        {
            await alter.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await using var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection);
        await reload.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets (or, with a null value, removes) settings in postgresql.auto.conf while the server is
    /// stopped, keeping every other line; ALTER SYSTEM reads the same file.
    /// </summary>
    public async Task SetAutoConfAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken ct)
    {
        var lines = File.Exists(AutoConf) ? await File.ReadAllLinesAsync(AutoConf, ct).ConfigureAwait(false) : ["# Do not edit this file manually!"];
        var kept = lines.Where(line => !settings.Keys.Any(key => IsSettingLine(line, key))).ToList();
        foreach (var (key, value) in settings.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (value is not null)
            {
                kept.Add($"{key} = '{value.Replace("'", "''", StringComparison.Ordinal)}'");
            }
        }
        await WriteOwnedFileAsync(AutoConf, string.Join('\n', kept) + "\n", ct).ConfigureAwait(false);
    }

    private static bool IsSettingLine(string line, string key)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith(key, StringComparison.Ordinal) && trimmed[key.Length..].TrimStart().StartsWith('=');
    }

    private async Task WriteOwnedFileAsync(string path, string text, CancellationToken ct)
    {
        await File.WriteAllTextAsync(path, text, ct).ConfigureAwait(false);
        if (_asOtherUser)
        {
            await RunProcessAsync("chown", [_pg.RunAs! + ":", path], ct, quiet: true).ConfigureAwait(false);
        }
    }

    private string TimeoutSeconds => Math.Max(1, _pg.PgCtlTimeout.Nanoseconds / Duration.NanosPerSecond).ToString(CultureInfo.InvariantCulture);

    private string ConnectionStringForTools(MemberAddress member)
    {
        var text = $"host={member.Postgres.Host} port={member.Postgres.Port.ToString(CultureInfo.InvariantCulture)} user={_pg.Superuser.Username} dbname=postgres connect_timeout=5";
        return _pg.Superuser.Password is { } password ? text + " password=" + QuoteConninfo(password) : text;
    }

    private static string QuoteConninfo(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private Task<bool> PgCtlAsync(CancellationToken ct, params string[] args) =>
        RunToolAsync(Path.Combine(_pg.BinDir, "pg_ctl"), ct, args);

    /// <summary>Runs a PostgreSQL tool as the data directory's owner; its output goes to the agent's log.</summary>
    private Task<bool> RunToolAsync(string tool, CancellationToken ct, params string[] args) =>
        _asOtherUser
            ? RunProcessAsync("runuser", ["-u", _pg.RunAs!, "--", tool, .. args], ct, quiet: false, Label(tool, args))
            : RunProcessAsync(tool, args, ct, quiet: false, Label(tool, args));

    private static string Label(string tool, string[] args) => Path.GetFileName(tool) + (args.Length > 0 && !args[0].StartsWith('-') ? " " + args[0] : "");

    private async Task<bool> RunProcessAsync(string file, IReadOnlyList<string> args, CancellationToken ct, bool quiet, string? label = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        var shown = label ?? file;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + file);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var output = ((await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false))).Trim();
        if (!quiet || process.ExitCode != 0)
        {
            log($"{shown}: exit {process.ExitCode.ToString(CultureInfo.InvariantCulture)}{(output.Length > 0 ? ": " + output.ReplaceLineEndings(" | ") : "")}");
        }
        return process.ExitCode == 0;
    }
}
