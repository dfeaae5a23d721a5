using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HaSim.Agent;

/// <summary>A request to etcd failed or timed out: the attempt may be retried (through another member).</summary>
public sealed class EtcdUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A key as etcd returns it.</summary>
public sealed record EtcdKeyValue(string Key, string Value, long CreateRevision, long ModRevision, long Version, long Lease);

/// <summary>One comparison of a transaction (etcd's <c>Compare</c>); all are equality, the only one Patroni uses.</summary>
public abstract record EtcdCompare(string Key);

/// <summary>The key holds exactly <paramref name="Value"/> (an absent key never does).</summary>
public sealed record EtcdValueEquals(string Key, string Value) : EtcdCompare(Key);

/// <summary><c>create_revision == Revision</c>; 0 means "the key is absent".</summary>
public sealed record EtcdCreateRevisionEquals(string Key, long Revision) : EtcdCompare(Key);

/// <summary><c>mod_revision == Revision</c>.</summary>
public sealed record EtcdModRevisionEquals(string Key, long Revision) : EtcdCompare(Key);

/// <summary>An operation inside a transaction (etcd's <c>RequestOp</c>).</summary>
public abstract record EtcdOp;

/// <summary>Put; with a lease (not 0) the key goes when the lease ends.</summary>
public sealed record EtcdPut(string Key, string Value, long Lease = 0) : EtcdOp;

public sealed record EtcdDelete(string Key) : EtcdOp;

/// <summary>A transaction; it nests (etcd 3.3+), as Patroni's update_leader needs.</summary>
public sealed record EtcdTxn(IReadOnlyList<EtcdCompare> Compares, IReadOnlyList<EtcdOp> Success, IReadOnlyList<EtcdOp> Failure) : EtcdOp;

/// <summary>A transaction's answer: whether the compares held, and the answers of nested transactions in the branch taken (null for other operations).</summary>
public sealed record EtcdTxnReply(bool Succeeded, IReadOnlyList<EtcdTxnReply?> Responses);

/// <summary>A watch event: a put or a delete (an explicit delete or a lease expiry) of a key.</summary>
public sealed record EtcdWatchEvent(bool IsDelete, string Key, long ModRevision);

/// <summary>
/// etcd's v3 API through its JSON gateway (<c>POST /v3/kv/range</c>, <c>/v3/kv/txn</c>,
/// <c>/v3/lease/grant</c>, <c>/v3/lease/keepalive</c>, <c>/v3/watch</c>), over plain HttpClient:
/// keys and values base64, 64-bit numbers as strings, fields equal to zero left out. Chosen over a
/// gRPC client so the agent has no gRPC stack to tune (reconnect back-off, built-in retries of
/// Unavailable, console output) and every call has exactly the deadline the caller gives; every
/// etcd from 3.4 on serves the gateway on its client port.
/// </summary>
public sealed class EtcdClient : IDisposable
{
    private readonly IReadOnlyList<Uri> _hosts;
    private readonly HttpClient _http;
    private int _current;

    public EtcdClient(IReadOnlyList<Uri> hosts)
    {
        if (hosts.Count == 0)
        {
            throw new ArgumentException("at least one etcd host is needed", nameof(hosts));
        }
        _hosts = hosts;
        // Timeouts are per call (the caller's token); connections are reused.
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The member requests go to now.</summary>
    public Uri Current => _hosts[Volatile.Read(ref _current) % _hosts.Count];

    /// <summary>After a failed request, the next one goes to the next member (Patroni's etcd client does the same).</summary>
    public void MoveToNextMember() => Interlocked.Increment(ref _current);

    public async Task<IReadOnlyList<EtcdKeyValue>> RangePrefixAsync(string prefix, bool serializable, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["key"] = B64(prefix),
            ["range_end"] = Convert.ToBase64String(PrefixEnd(prefix)),
            ["serializable"] = serializable,
        };
        var reply = await PostAsync("/v3/kv/range", body, ct).ConfigureAwait(false);
        return reply.TryGetProperty("kvs", out var kvs) ? [.. kvs.EnumerateArray().Select(ReadKv)] : [];
    }

    public async Task<EtcdKeyValue?> GetAsync(string key, CancellationToken ct)
    {
        var reply = await PostAsync("/v3/kv/range", new JsonObject { ["key"] = B64(key) }, ct).ConfigureAwait(false);
        return reply.TryGetProperty("kvs", out var kvs) && kvs.GetArrayLength() > 0 ? ReadKv(kvs[0]) : null;
    }

    /// <summary>Grants a lease of <paramref name="ttlSeconds"/>; returns its id.</summary>
    public async Task<long> LeaseGrantAsync(long ttlSeconds, CancellationToken ct)
    {
        var reply = await PostAsync("/v3/lease/grant", new JsonObject { ["TTL"] = ttlSeconds.ToString(CultureInfo.InvariantCulture) }, ct).ConfigureAwait(false);
        if (reply.TryGetProperty("error", out var error) && error.GetString() is { Length: > 0 } message)
        {
            throw new EtcdUnavailableException("lease grant: " + message);
        }
        return Int64(reply, "ID");
    }

    /// <summary>One keepalive of <paramref name="lease"/>; returns the TTL it was renewed to, 0 when the lease no longer exists.</summary>
    public async Task<long> LeaseKeepAliveAsync(long lease, CancellationToken ct)
    {
        var reply = await PostAsync("/v3/lease/keepalive", new JsonObject { ["ID"] = lease.ToString(CultureInfo.InvariantCulture) }, ct).ConfigureAwait(false);
        // A streaming call through the gateway: each message is wrapped in {"result": ...}.
        var result = reply.TryGetProperty("result", out var r) ? r : reply;
        return Int64(result, "TTL");
    }

    public async Task PutAsync(string key, string value, long lease, CancellationToken ct)
    {
        var body = new JsonObject { ["key"] = B64(key), ["value"] = B64(value) };
        if (lease != 0)
        {
            body["lease"] = lease.ToString(CultureInfo.InvariantCulture);
        }
        await PostAsync("/v3/kv/put", body, ct).ConfigureAwait(false);
    }

    public async Task<EtcdTxnReply> TxnAsync(EtcdTxn txn, CancellationToken ct)
    {
        var reply = await PostAsync("/v3/kv/txn", TxnJson(txn), ct).ConfigureAwait(false);
        return ReadTxn(reply);
    }

    /// <summary>
    /// Watches one key from now on, yielding its events until <paramref name="ct"/> is cancelled or
    /// the stream breaks (then it throws <see cref="EtcdUnavailableException"/>: watch again).
    /// </summary>
    public async IAsyncEnumerable<EtcdWatchEvent> WatchAsync(string key, [EnumeratorCancellation] CancellationToken ct)
    {
        var body = new JsonObject { ["create_request"] = new JsonObject { ["key"] = B64(key) } };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Current, "/v3/watch"))
        {
            Content = JsonContent.Create(body),
        };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new EtcdUnavailableException($"watch on {Current}: {e.Message}", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new EtcdUnavailableException($"watch on {Current}: HTTP {(int)response.StatusCode}");
            }
            var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var lines = new StreamReader(stream, Encoding.UTF8);
            while (true)
            {
                string? line;
                try
                {
                    line = await lines.ReadLineAsync(ct).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new EtcdUnavailableException($"watch on {Current} broke: {e.Message}", e);
                }
                if (line is null)
                {
                    throw new EtcdUnavailableException($"watch on {Current} ended");
                }
                if (line.Length == 0)
                {
                    continue;
                }
                using var doc = JsonDocument.Parse(line);
                if (!doc.RootElement.TryGetProperty("result", out var result))
                {
                    throw new EtcdUnavailableException($"watch on {Current}: {line}");
                }
                if (result.TryGetProperty("canceled", out var canceled) && canceled.GetBoolean())
                {
                    throw new EtcdUnavailableException($"watch on {Current} was cancelled by the server");
                }
                if (!result.TryGetProperty("events", out var events))
                {
                    continue;
                }
                foreach (var e in events.EnumerateArray())
                {
                    var isDelete = e.TryGetProperty("type", out var type) && type.GetString() == "DELETE";
                    var kv = e.GetProperty("kv");
                    yield return new EtcdWatchEvent(isDelete, Text(kv, "key"), Int64(kv, "mod_revision"));
                }
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonElement> PostAsync(string path, JsonObject body, CancellationToken ct)
    {
        var uri = new Uri(Current, path);
        try
        {
            using var response = await _http.PostAsync(uri, JsonContent.Create(body), ct).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new EtcdUnavailableException($"{uri}: HTTP {(int)response.StatusCode} {text}");
            }
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested || e.CancellationToken == ct)
        {
            throw new EtcdUnavailableException($"{uri}: no answer in time", e);
        }
        catch (HttpRequestException e)
        {
            throw new EtcdUnavailableException($"{uri}: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new EtcdUnavailableException($"{uri}: unreadable answer: {e.Message}", e);
        }
    }

    private static JsonObject TxnJson(EtcdTxn txn)
    {
        var compares = new JsonArray();
        foreach (var c in txn.Compares)
        {
            compares.Add(c switch
            {
                EtcdValueEquals v => new JsonObject { ["key"] = B64(v.Key), ["target"] = "VALUE", ["result"] = "EQUAL", ["value"] = B64(v.Value) },
                EtcdCreateRevisionEquals r => new JsonObject { ["key"] = B64(r.Key), ["target"] = "CREATE", ["result"] = "EQUAL", ["create_revision"] = r.Revision.ToString(CultureInfo.InvariantCulture) },
                EtcdModRevisionEquals m => new JsonObject { ["key"] = B64(m.Key), ["target"] = "MOD", ["result"] = "EQUAL", ["mod_revision"] = m.Revision.ToString(CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown compare {c}"),
            });
        }
        return new JsonObject
        {
            ["compare"] = compares,
            ["success"] = Ops(txn.Success),
            ["failure"] = Ops(txn.Failure),
        };
    }

    private static JsonArray Ops(IReadOnlyList<EtcdOp> ops)
    {
        var array = new JsonArray();
        foreach (var op in ops)
        {
            array.Add(op switch
            {
                EtcdPut put => new JsonObject
                {
                    ["request_put"] = put.Lease == 0
                        ? new JsonObject { ["key"] = B64(put.Key), ["value"] = B64(put.Value) }
                        : new JsonObject { ["key"] = B64(put.Key), ["value"] = B64(put.Value), ["lease"] = put.Lease.ToString(CultureInfo.InvariantCulture) },
                },
                EtcdDelete delete => new JsonObject { ["request_delete_range"] = new JsonObject { ["key"] = B64(delete.Key) } },
                EtcdTxn nested => new JsonObject { ["request_txn"] = TxnJson(nested) },
                _ => throw new ArgumentException($"unknown operation {op}"),
            });
        }
        return array;
    }

    private static EtcdTxnReply ReadTxn(JsonElement reply)
    {
        var succeeded = reply.TryGetProperty("succeeded", out var s) && s.GetBoolean();
        var responses = new List<EtcdTxnReply?>();
        if (reply.TryGetProperty("responses", out var list))
        {
            foreach (var r in list.EnumerateArray())
            {
                responses.Add(r.TryGetProperty("response_txn", out var nested) ? ReadTxn(nested) : null);
            }
        }
        return new EtcdTxnReply(succeeded, responses);
    }

    private static EtcdKeyValue ReadKv(JsonElement kv) => new(
        Text(kv, "key"), Text(kv, "value"), Int64(kv, "create_revision"), Int64(kv, "mod_revision"), Int64(kv, "version"), Int64(kv, "lease"));

    private static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.GetString() is { } b64 ? Encoding.UTF8.GetString(Convert.FromBase64String(b64)) : "";

    private static long Int64(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? long.Parse(v.GetString()!, CultureInfo.InvariantCulture) : v.GetInt64()
            : 0;

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>The range end that selects every key starting with <paramref name="prefix"/>: the prefix with its last byte plus one.</summary>
    internal static byte[] PrefixEnd(string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xFF)
            {
                bytes[i]++;
                return bytes[..(i + 1)];
            }
        }
        return [0]; // every key
    }
}
