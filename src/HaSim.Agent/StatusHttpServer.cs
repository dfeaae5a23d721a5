using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Agent;

/// <summary>What a node says about itself on its REST API: its PostgreSQL, live, and its controller's last view.</summary>
public sealed record NodeStatus(
    string Name,
    PostgresState State,
    bool IsPrimary,
    long Timeline,
    Lsn Write,
    Lsn Receive,
    Lsn Replay,
    bool HasLock,
    string LastMessage,
    long Cycles,
    MemberTags Tags,
    bool WatchdogFailed)
{
    /// <summary>Patroni's JSON for <c>GET /patroni</c>: state, role, timeline, xlog positions, tags, plus the controller's view.</summary>
    public JsonObject ToJson()
    {
        var xlog = IsPrimary
            ? new JsonObject { ["location"] = Write.Bytes }
            : new JsonObject { ["received_location"] = Receive.Bytes, ["replayed_location"] = Replay.Bytes };
        return new JsonObject
        {
            ["name"] = Name,
            ["state"] = State switch { PostgresState.Running => "running", PostgresState.Starting => "starting", _ => "stopped" },
            ["role"] = State != PostgresState.Running ? "uninitialized" : IsPrimary ? "primary" : "replica",
            ["timeline"] = Timeline,
            ["xlog"] = xlog,
            ["has_lock"] = HasLock,
            ["last_message"] = LastMessage,
            ["cycles"] = Cycles,
            ["watchdog_failed"] = WatchdogFailed,
            ["tags"] = new JsonObject
            {
                ["nofailover"] = Tags.NoFailover,
                ["failover_priority"] = Tags.FailoverPriority,
                ["nosync"] = Tags.NoSync,
                ["sync_priority"] = Tags.SyncPriority,
            },
        };
    }

    /// <summary>
    /// Reads a peer's <c>GET /patroni</c> answer as Patroni's <c>_MemberStatus.from_api_response</c>
    /// does: the WAL position is xlog.location on a primary, the larger of received and replayed on a replica.
    /// </summary>
    public static PeerReport ReadPeerReport(JsonElement json)
    {
        var isPrimary = json.TryGetProperty("role", out var role) && role.GetString() is "primary" or "master";
        ulong wal = 0;
        if (json.TryGetProperty("xlog", out var xlog))
        {
            wal = isPrimary
                ? U64(xlog, "location")
                : Math.Max(U64(xlog, "received_location"), U64(xlog, "replayed_location"));
        }
        var timeline = json.TryGetProperty("timeline", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : 0;
        var noFailover = false;
        var priority = 1;
        if (json.TryGetProperty("tags", out var tags))
        {
            noFailover = tags.TryGetProperty("nofailover", out var nf) && nf.ValueKind == JsonValueKind.True;
            if (tags.TryGetProperty("failover_priority", out var fp) && fp.ValueKind == JsonValueKind.Number)
            {
                priority = fp.GetInt32();
            }
        }
        var watchdogFailed = json.TryGetProperty("watchdog_failed", out var wf) && wf.ValueKind == JsonValueKind.True;
        return new PeerReport(isPrimary, new Lsn(wal), new Term(timeline), noFailover, watchdogFailed, priority);
    }

    private static ulong U64(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetUInt64() : 0;
}

/// <summary>
/// The agent's REST API, Patroni's endpoints for HAProxy-style routing and for peers:
/// <c>GET /primary</c> (also <c>/leader</c>, <c>/master</c>) answers 200 only on the leader (the
/// lock holder running as primary), <c>GET /replica</c> 200 on a running standby, <c>GET /health</c>
/// 200 while PostgreSQL runs, <c>GET /patroni</c> (and <c>/</c>) the JSON status peers read before a
/// leader race, <c>POST /failsafe</c> Patroni's failsafe check. Any other status is 503.
/// </summary>
public sealed class StatusHttpServer(Endpoint listen, Func<CancellationToken, Task<NodeStatus>> status, Action<string> log) : IDisposable
{
    private readonly HttpListener _listener = new();

    public void Start()
    {
        _listener.Prefixes.Add($"http://{listen.Host}:{listen.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}/");
        _listener.Start();
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var registration = ct.Register(() => _listener.Stop());
        while (!ct.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                if (ct.IsCancellationRequested)
                {
                    return;
                }
                log("REST API: " + e.Message);
                continue;
            }
            _ = Task.Run(() => HandleAsync(context, ct), ct);
        }
    }

    private async Task HandleAsync(HttpListenerContext context, CancellationToken ct)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var path = request.Url?.AbsolutePath.TrimEnd('/') ?? "";
            var method = request.HttpMethod;
            if (method == "POST" && path == "/failsafe")
            {
                var node = await status(timeout.Token).ConfigureAwait(false);
                // Patroni: a node running as the leader refuses; any other accepts.
                var leading = node.HasLock && node.IsPrimary && node.State == PostgresState.Running;
                await WriteAsync(response, leading ? 500 : 200, "text/plain", leading ? "Running as a leader" : "Accepted").ConfigureAwait(false);
                return;
            }
            if (method is not ("GET" or "HEAD" or "OPTIONS"))
            {
                await WriteAsync(response, 405, "text/plain", "method not allowed").ConfigureAwait(false);
                return;
            }
            var s = await status(timeout.Token).ConfigureAwait(false);
            var running = s.State == PostgresState.Running;
            var code = path switch
            {
                "" or "/patroni" => 200,
                "/primary" or "/leader" or "/master" or "/read-write" => running && s.IsPrimary && s.HasLock ? 200 : 503,
                "/replica" => running && !s.IsPrimary ? 200 : 503,
                "/read-only" => running ? 200 : 503,
                "/health" => running ? 200 : 503,
                _ => 404,
            };
            await WriteAsync(response, code, "application/json", code == 404 ? "{\"error\":\"not found\"}" : s.ToJson().ToJsonString()).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log("REST API request failed: " + e.Message);
            try
            {
                await WriteAsync(response, 503, "text/plain", e.Message).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // the client went away
            }
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, int code, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = code;
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        response.Close();
    }

    public void Dispose() => ((IDisposable)_listener).Dispose();
}

/// <summary>The agent's side of its peers' REST APIs: <c>GET /patroni</c> and <c>POST /failsafe</c>, each within the controller's timeout.</summary>
public sealed class PeerClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The peer's status, or null if it did not answer 200 with readable JSON in time (Patroni ignores such a peer).</summary>
    public async Task<PeerReport?> QueryAsync(MemberAddress peer, Duration timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromTicks(timeout.Nanoseconds / 100));
        try
        {
            using var response = await _http.GetAsync(Url(peer, "/patroni"), deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            var text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(text);
            return NodeStatus.ReadPeerReport(doc.RootElement);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or IOException)
        {
            if (ct.IsCancellationRequested)
            {
                throw;
            }
            return null;
        }
    }

    /// <summary>Patroni's failsafe check: true only for a 200 answer.</summary>
    public async Task<bool> PostFailsafeAsync(MemberAddress peer, Duration timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromTicks(timeout.Nanoseconds / 100));
        try
        {
            using var response = await _http.PostAsync(Url(peer, "/failsafe"), new StringContent("{}", Encoding.UTF8, "application/json"), deadline.Token).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            if (ct.IsCancellationRequested)
            {
                throw;
            }
            return false;
        }
    }

    private static Uri Url(MemberAddress peer, string path) => new($"http://{peer.RestApi}{path}");

    public void Dispose() => _http.Dispose();
}
