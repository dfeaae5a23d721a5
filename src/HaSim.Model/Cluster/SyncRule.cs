using HaSim.Model.Spec;

namespace HaSim.Model.Cluster;

/// <summary>Which reported position of a standby satisfies a commit.</summary>
internal enum AckPoint : byte
{
    Write,
    Flush,
    Apply,
}

/// <summary>
/// Which standbys a commit waits for, and how far they must have got: PostgreSQL's
/// SyncRepGetSyncRecPtr. FIRST k takes the k highest-priority connected standbys (priority is the
/// position in synchronous_standby_names; ties, as with '*', go to the lower node id) and the
/// commit waits for the slowest of them; ANY k waits for the k-th most advanced listed standby.
/// The storage quorum (W of N) and semi-sync (k replicas) are ANY rules over their nodes.
/// </summary>
internal sealed class SyncRule
{
    private readonly ReplicaView[] _byPriority; // FIRST: candidates in priority order
    private readonly ReplicaView[] _listed;     // ANY: every listed candidate
    private readonly long[] _scratch;

    public SyncRule(SyncMethod method, int count, AckPoint ackPoint, IEnumerable<(ReplicaView View, int Priority)> candidates)
    {
        Method = method;
        Count = count;
        AckPoint = ackPoint;
        var ordered = candidates.OrderBy(c => c.Priority).ThenBy(c => c.View.Node.Value).Select(c => c.View).ToArray();
        _byPriority = ordered;
        _listed = ordered;
        _scratch = new long[ordered.Length];
    }

    public SyncMethod Method { get; }
    public int Count { get; }
    public AckPoint AckPoint { get; }

    /// <summary>The LSN up to which commits are acknowledged by the standbys; -1 while too few are connected.</summary>
    public long SyncedLsn()
    {
        if (Method == SyncMethod.First)
        {
            var taken = 0;
            var synced = long.MaxValue;
            foreach (var view in _byPriority)
            {
                if (!view.Connected)
                {
                    continue;
                }
                synced = Math.Min(synced, view.Reported(AckPoint));
                if (++taken == Count)
                {
                    return synced;
                }
            }
            return -1;
        }
        var n = 0;
        foreach (var view in _listed)
        {
            if (view.Connected)
            {
                _scratch[n++] = view.Reported(AckPoint);
            }
        }
        if (n < Count)
        {
            return -1;
        }
        // The k-th largest of a handful of positions: a partial selection sort is fastest here.
        var span = _scratch.AsSpan(0, n);
        for (var i = 0; i < Count; i++)
        {
            var best = i;
            for (var j = i + 1; j < n; j++)
            {
                if (span[j] > span[best])
                {
                    best = j;
                }
            }
            (span[i], span[best]) = (span[best], span[i]);
        }
        return span[Count - 1];
    }

    /// <summary>
    /// pg_stat_replication's sync_state is 'sync' (FIRST: among the k highest-priority connected
    /// standbys) or 'quorum' (ANY: listed and connected); both count as synchronous for Patroni.
    /// </summary>
    public bool IsSync(ReplicaView view)
    {
        if (!view.Connected)
        {
            return false;
        }
        var taken = 0;
        foreach (var candidate in _byPriority)
        {
            if (!candidate.Connected)
            {
                continue;
            }
            if (candidate == view)
            {
                return Method == SyncMethod.Any || taken < Count;
            }
            taken++;
        }
        return false;
    }

    public override string ToString() =>
        $"{(Method == SyncMethod.First ? "FIRST" : "ANY")} {Count} of {_listed.Length} at {AckPoint.ToString().ToLowerInvariant()}";
}
