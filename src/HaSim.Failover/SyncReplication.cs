using HaSim.Primitives;

namespace HaSim.Failover;

/// <summary>
/// One cycle's work on <c>/sync</c> and <c>synchronous_standby_names</c> for a primary in
/// synchronous_mode (<c>_process_multisync_replication</c>), in the documented order so that every
/// node listed in /sync really is synchronous: shrink /sync first, then change
/// synchronous_standby_names, and add newly confirmed standbys to /sync only afterwards.
/// </summary>
/// <param name="SyncWrite">The /sync standbys to write (CAS) first, or null for no write.</param>
/// <param name="Names">The synchronous_standby_names to set after that write succeeds, or null to leave them.</param>
internal sealed record SyncStep(NodeSet? SyncWrite, NodeSet? Names);

internal static class SyncReplication
{
    public const string StrictPlaceholder = "__patroni_strict_sync_replica_placeholder__";

    /// <param name="currentText">synchronous_standby_names as this controller last set it, or null if never.</param>
    /// <param name="namesChangedAt">Primary WAL position when synchronous_standby_names last changed (<c>_process_replica_readiness</c>).</param>
    public static SyncStep Plan(NodeId self, FailoverSettings settings, DatabaseStatus db, ClusterView view, string? currentText, Lsn namesChangedAt)
    {
        // _maybe_enable_synchronous_mode: /sync must name me before anything else (PR #2820).
        if (view.Sync is not { } sync || sync.Leader != self)
        {
            return new SyncStep(NodeSet.Empty, null);
        }
        var voters = sync.SyncStandbys;
        var picked = Pick(settings, db, view);
        var standbys = db.Standbys ?? [];
        var confirmed = NodeSet.Of(standbys
            .Where(r => r.IsSync && (voters.Contains(r.Standby) || r.Flush >= namesChangedAt))
            .Select(r => r.Standby));

        // synchronous_mode_strict never drops to asynchronous: with no candidate it keeps the voters.
        if (settings.SynchronousModeStrict && picked.IsEmpty)
        {
            picked = voters;
        }

        var namesChange = Text(settings, picked, view) == currentText ? null : picked;
        var shrunk = voters.Intersect(confirmed).Intersect(picked);
        if (!shrunk.Equals(voters))
        {
            return new SyncStep(shrunk, namesChange);
        }
        if (namesChange is not null)
        {
            return new SyncStep(null, namesChange);
        }
        var grown = confirmed.Intersect(picked);
        return grown.Equals(voters) ? new SyncStep(null, null) : new SyncStep(grown, null);
    }

    /// <summary>
    /// <c>SyncHandler.current_state</c>: streaming members without nosync, ordered by
    /// (sync_priority, already sync, flush LSN) descending then id, nofailover last; the first
    /// synchronous_node_count are wanted.
    /// </summary>
    public static NodeSet Pick(FailoverSettings settings, DatabaseStatus db, ClusterView view)
    {
        var rows = (db.Standbys ?? [])
            .Select(r => (Row: r, Member: view.Member(r.Standby)))
            .Where(x => x.Member is { Tags: { NoSync: false, SyncPriority: > 0 } })
            .OrderBy(x => x.Member!.Tags.NeverPromote)
            .ThenByDescending(x => x.Member!.Tags.SyncPriority)
            .ThenByDescending(x => x.Row.IsSync)
            .ThenByDescending(x => x.Row.Flush)
            .ThenBy(x => x.Row.Standby);
        return NodeSet.Of(rows.Take(settings.SynchronousNodeCount).Select(x => x.Row.Standby));
    }

    /// <summary>
    /// The text of synchronous_standby_names: <c>N (a,b)</c> by member name, empty for none, and in
    /// strict mode with nobody Patroni's placeholder so commits wait rather than go unreplicated.
    /// </summary>
    public static string Text(FailoverSettings settings, NodeSet standbys, ClusterView view)
    {
        if (standbys.IsEmpty)
        {
            return settings.SynchronousModeStrict ? $"1 ({StrictPlaceholder})" : "";
        }
        var names = standbys.Select(id => Quote(view.NameOf(id)));
        var count = Math.Min(settings.SynchronousNodeCount, standbys.Count);
        return $"{count.ToString(System.Globalization.CultureInfo.InvariantCulture)} ({string.Join(",", names)})";
    }

    // PostgreSQL's quote_ident: bare only for lower-case identifiers.
    private static string Quote(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? name
            : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
