using HaSim.Kernel;
using HaSim.Kernel.Distributions;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// The network that carries control traffic: agents' DCS requests and REST calls, DCS replies and
/// watch events, client requests and the proxy's health checks. Its endpoints are the database
/// nodes (0 .. nodes-1), then the DCS members, then one for the clients and their proxy. Each
/// message takes a latency drawn for its pair of endpoints (by zone, as the replication links);
/// a lost packet costs a retransmission timeout. A message across a partition is dropped: these
/// are request/response calls with timeouts, so the sender sees a timeout, which is what matters.
/// </summary>
internal sealed class ControlNetwork
{
    private readonly int _count;
    private readonly LatencyDistribution[] _latency;
    private readonly SimRandom?[] _random;
    private readonly string[] _names;
    private readonly int[] _blocked;
    private readonly double _loss;
    private readonly Duration _retransmissionTimeout;
    private readonly ulong _seed;

    public ControlNetwork(ClusterSpec spec, FailoverSpec failover, ulong seed)
    {
        NodeCount = spec.Nodes.Count;
        DcsBase = NodeCount;
        Clients = NodeCount + failover.Dcs.Members.Count;
        _count = Clients + 1;
        _seed = seed;
        var zones = new ZoneId[_count];
        _names = new string[_count];
        foreach (var node in spec.Nodes)
        {
            zones[node.Id.Value] = node.Zone;
            _names[node.Id.Value] = node.Name;
        }
        foreach (var member in failover.Dcs.Members)
        {
            zones[DcsBase + member.Index] = member.Zone;
            _names[DcsBase + member.Index] = member.Name;
        }
        zones[Clients] = failover.Clients.Zone;
        _names[Clients] = "clients";

        _latency = new LatencyDistribution[_count * _count];
        _random = new SimRandom?[_count * _count];
        _blocked = new int[_count * _count];
        for (var a = 0; a < _count; a++)
        {
            for (var b = 0; b < _count; b++)
            {
                var za = spec.Zones[zones[a].Value];
                var zb = spec.Zones[zones[b].Value];
                _latency[a * _count + b] = za.Id == zb.Id ? spec.Network.SameZone
                    : za.Region == zb.Region ? spec.Network.CrossZone
                    : spec.Network.CrossRegion;
            }
        }
        foreach (var o in spec.Network.Overrides)
        {
            if (o.Latency is { } latency)
            {
                _latency[o.From.Value * _count + o.To.Value] = latency;
            }
        }
        _loss = spec.Network.LossProbability;
        _retransmissionTimeout = spec.Network.RetransmissionTimeout;
    }

    public int NodeCount { get; }

    /// <summary>The endpoint of DCS member 0; member m is <c>DcsBase + m</c>.</summary>
    public int DcsBase { get; }

    /// <summary>The endpoint of the clients and their proxy.</summary>
    public int Clients { get; }

    public string NameOf(int endpoint) => _names[endpoint];

    public bool Reachable(int from, int to) => from == to || _blocked[from * _count + to] == 0;

    /// <summary>One message's delay from <paramref name="from"/> to <paramref name="to"/>, from the pair's own random stream.</summary>
    public Duration Delay(int from, int to)
    {
        if (from == to)
        {
            return Duration.Zero;
        }
        var pair = from * _count + to;
        // Streams by endpoint names, created on first use: adding endpoints never shifts another pair's draws.
        var random = _random[pair] ??= new SimRandom(_seed, $"control {_names[from]}->{_names[to]}");
        var delay = _latency[pair].SampleInline(random);
        if (_loss > 0 && random.NextDouble() < _loss)
        {
            delay += _retransmissionTimeout;
        }
        return delay;
    }

    public void Block(int from, int to) => _blocked[from * _count + to]++;

    public void Unblock(int from, int to) => _blocked[from * _count + to]--;

    /// <summary>The endpoints a partition fault lists on one side.</summary>
    public IEnumerable<int> Side(IReadOnlyList<NodeId> nodes, IReadOnlyList<int> dcsMembers, bool clients)
    {
        foreach (var node in nodes)
        {
            yield return node.Value;
        }
        foreach (var member in dcsMembers)
        {
            yield return DcsBase + member;
        }
        if (clients)
        {
            yield return Clients;
        }
    }
}
