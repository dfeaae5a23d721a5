using HaSim.Model.Spec;

namespace HaSim.Experiments.Loading;

/// <summary>
/// Reads <c>replication</c>: PostgreSQL's synchronous_commit and synchronous_standby_names, or
/// instead an Aurora-style storage quorum or MySQL-style semi-synchronous replication, and checks
/// them against the nodes' roles.
/// </summary>
internal static class ReplicationReader
{
    /// <summary>The keys of <c>replication</c>, also for reopening it to check it against <c>failover</c>.</summary>
    public static readonly string[] ReplicationKeys =
        ["synchronous_commit", "synchronous_standby_names", "group_commit", "wal_sender_timeout", "storage_quorum", "semi_sync"];

    private static readonly string[] StorageQuorumKeys = ["write_quorum"];
    private static readonly string[] SemiSyncKeys = ["wait_for_replica_count", "timeout"];

    /// <summary>PostgreSQL's words, which it matches case-insensitively; true and false are its boolean spellings of on and off.</summary>
    private static readonly (string Word, SynchronousCommit Value)[] CommitLevels =
    [
        ("off", SynchronousCommit.Off),
        ("local", SynchronousCommit.Local),
        ("remote_write", SynchronousCommit.RemoteWrite),
        ("on", SynchronousCommit.On),
        ("remote_apply", SynchronousCommit.RemoteApply),
        ("true", SynchronousCommit.On),
        ("false", SynchronousCommit.Off),
    ];

    private const string Alternatives =
        "choose one of synchronous_standby_names (PostgreSQL), storage_quorum (Aurora) or semi_sync (MySQL)";

    public static ReplicationSpec Read(ModelNode? replicationNode, Topology topology)
    {
        var mapping = replicationNode?.AsMapping(ReplicationKeys);
        var commit = mapping?.Optional("synchronous_commit")?.ReadWord("synchronous_commit level", CommitLevels, StringComparison.OrdinalIgnoreCase);
        var namesNode = mapping?.Optional("synchronous_standby_names");
        var names = namesNode is null ? null : ReadStandbyNames(namesNode, topology);
        var groupCommit = mapping?.Optional("group_commit")?.ReadBoolean();
        var quorumNode = mapping?.Optional("storage_quorum");
        var quorum = quorumNode is null ? null : ReadStorageQuorum(quorumNode, names, topology);
        var semiSyncNode = mapping?.Optional("semi_sync");
        var spec = new ReplicationSpec
        {
            SynchronousCommit = commit ?? ModelDefaults.SynchronousCommit,
            SynchronousStandbyNames = names,
            GroupCommit = groupCommit ?? ModelDefaults.GroupCommit,
            WalSenderTimeout = mapping?.Optional("wal_sender_timeout")?.ReadPositiveDuration() ?? ModelDefaults.WalSenderTimeout,
            StorageQuorum = quorum,
            SemiSync = semiSyncNode is null ? null : ReadSemiSync(semiSyncNode, names, quorumNode, topology),
        };
        // Storage nodes persist log records only for a storage quorum; without one they would idle.
        if (spec.StorageQuorum is null && topology.Nodes.FirstOrDefault(n => n.Role == NodeRole.Storage) is { } storage)
        {
            throw topology.RoleNodes[storage.Id.Value].Error("nodes with role storage require replication.storage_quorum");
        }
        return spec;
    }

    /// <summary>
    /// The setting in PostgreSQL's grammar; every name but '*' must be a standby, matched
    /// case-insensitively as PostgreSQL matches application_name, and there must be enough
    /// standbys to satisfy the count.
    /// </summary>
    private static SyncStandbyNames? ReadStandbyNames(ModelNode node, Topology topology)
    {
        var text = node.ReadString("synchronous_standby_names in PostgreSQL's grammar, such as 'FIRST 1 (pg2)', or '' for none");
        if (!SyncStandbyNames.TryParse(text, out var names, out var error))
        {
            throw node.Error(error);
        }
        if (names is null)
        {
            return null;
        }
        var standbys = topology.WithRole(NodeRole.Standby);
        var standbyList = standbys.Count == 0 ? "there are none" : "standbys: " + string.Join(", ", standbys.Select(s => s.Name));
        var matched = new List<string>();
        foreach (var name in names.Names.Where(n => n != "*"))
        {
            var spec = topology.Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));
            if (spec is null)
            {
                throw node.Error($"'{name}' is not a node{Spelling.Hint(name, standbys.Select(s => s.Name))}; every name but '*' must be a standby ({standbyList})");
            }
            if (spec.Role != NodeRole.Standby)
            {
                throw node.Error($"'{name}' has role {spec.Role.ToString().ToLowerInvariant()}, not standby; every name but '*' must be a standby ({standbyList})");
            }
            if (!matched.Contains(spec.Name, StringComparer.Ordinal))
            {
                matched.Add(spec.Name);
            }
        }
        var matchable = names.Names.Contains("*") ? standbys.Count : matched.Count;
        if (names.Count > matchable)
        {
            throw node.Error($"{names.Method.ToString().ToUpperInvariant()} {names.Count} waits for {names.Count} synchronous standbys, but its names match only {matchable} ({standbyList})");
        }
        return names;
    }

    private static StorageQuorumSpec ReadStorageQuorum(ModelNode node, SyncStandbyNames? names, Topology topology)
    {
        var mapping = node.AsMapping(StorageQuorumKeys, StorageQuorumKeys);
        if (names is not null)
        {
            throw node.Error($"cannot be combined with synchronous_standby_names; {Alternatives}");
        }
        var storageNodes = topology.WithRole(NodeRole.Storage).Count;
        if (storageNodes == 0)
        {
            throw node.Error("requires nodes with role storage, and there are none");
        }
        return new StorageQuorumSpec((int)mapping.Required("write_quorum").ReadInteger(1, storageNodes, "the number of storage nodes"));
    }

    private static SemiSyncSpec ReadSemiSync(ModelNode node, SyncStandbyNames? names, ModelNode? quorumNode, Topology topology)
    {
        var mapping = node.AsMapping(SemiSyncKeys);
        if (names is not null || quorumNode is not null)
        {
            throw node.Error($"cannot be combined with {(names is not null ? "synchronous_standby_names" : "storage_quorum")}; {Alternatives}");
        }
        var standbys = topology.WithRole(NodeRole.Standby).Count;
        if (standbys == 0)
        {
            throw node.Error("requires nodes with role standby (the replicas that acknowledge), and there are none");
        }
        return new SemiSyncSpec(
            (int)(mapping.Optional("wait_for_replica_count")?.ReadInteger(1, standbys, "the number of standbys") ?? ModelDefaults.SemiSyncWaitForReplicaCount),
            mapping.Optional("timeout")?.ReadPositiveDuration() ?? ModelDefaults.SemiSyncTimeout);
    }
}
