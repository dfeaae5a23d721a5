using HaSim.Primitives;

namespace HaSim.Model.Dcs;

/// <summary>
/// Which etcd member a database node's client talks to. Like Patroni's etcd client
/// (<c>AbstractEtcdClientWithFailover</c>) and etcd's own clients, it sticks to one endpoint while
/// requests succeed and moves to the next in its list when one fails. Pure selection: the host
/// knows what is reachable and charges the time (connect and request timeouts) of every attempt.
/// </summary>
public sealed class DcsClient
{
    private readonly int[] _endpoints;
    private int _position;

    /// <param name="endpoints">Member indexes in preference order: the configured or closest first.</param>
    public DcsClient(IReadOnlyList<int> endpoints)
    {
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("a DCS client needs at least one endpoint", nameof(endpoints));
        }
        if (endpoints.Distinct().Count() != endpoints.Count)
        {
            throw new ArgumentException("endpoints must be distinct", nameof(endpoints));
        }
        _endpoints = endpoints.ToArray();
    }

    /// <summary>The members in <paramref name="zone"/> first, then the others, each group by index.</summary>
    public static DcsClient PreferringZone(IReadOnlyList<DcsMember> members, ZoneId zone) =>
        new(members.OrderBy(m => m.Zone == zone ? 0 : 1).ThenBy(m => m.Index).Select(m => m.Index).ToList());

    public IReadOnlyList<int> Endpoints => _endpoints;

    /// <summary>The endpoint the next request goes to.</summary>
    public int Current => _endpoints[_position];

    /// <summary>
    /// The endpoint to send to: <see cref="Current"/> if <paramref name="reachable"/> says so, else the first
    /// reachable one after it in the list (wrapping around), which becomes current; null if none is.
    /// </summary>
    public int? Select(Func<int, bool> reachable)
    {
        for (var step = 0; step < _endpoints.Length; step++)
        {
            var position = (_position + step) % _endpoints.Length;
            if (reachable(_endpoints[position]))
            {
                _position = position;
                return _endpoints[position];
            }
        }
        return null;
    }

    /// <summary>
    /// A request to <see cref="Current"/> failed (timed out, or the member answered that it has no
    /// leader): the client tries the next endpoint.
    /// </summary>
    public void OnRequestFailed() => _position = (_position + 1) % _endpoints.Length;
}
