using HaSim.Kernel;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>Measurements: warm-up, the lag time series and the final report.</summary>
internal sealed partial class ClusterSimulation
{
    private void StartMeasuring(Instant now)
    {
        _measuring = _measure;
        foreach (var view in _initialRole.Replicas)
        {
            view.NotDurableArea = 0;
            view.NotDurableSince = now.NanosecondsSinceStart;
        }
    }

    private void WriteLagSamples(Instant now)
    {
        foreach (var view in _initialRole.Replicas)
        {
            var lag = view.Lag.LastLag;
            _lagSink!.Write(new LagSample(now, view.Node, _initialRole.Node.Received, view.Sent, view.ReportedWrite, view.ReportedFlush,
                view.ReportedApply, lag[0], lag[1], lag[2]));
        }
    }

    private ClusterRunReport BuildReport(RunResult result, string? failure)
    {
        var end = result.Now.NanosecondsSinceStart;
        var measuredNs = Math.Max(0, end - _warmupEnd.NanosecondsSinceStart);
        if (_semiSyncAsync)
        {
            _semiSyncAsyncTime += result.Now - Instant.Max(_semiSyncAsyncSince, _warmupEnd);
        }
        var standbys = _initialRole.Replicas.Select(view =>
        {
            view.AccumulateNotDurable(end);
            var spec = view.Runtime.Spec;
            return new StandbyReport
            {
                Name = spec.Name,
                Role = spec.Role,
                Zone = _spec.Zones[spec.Zone.Value].Name,
                SyncState = SyncStateOf(view),
                SentLsn = new Lsn((ulong)view.Sent),
                WriteLsn = new Lsn((ulong)view.ReportedWrite),
                FlushLsn = new Lsn((ulong)view.ReportedFlush),
                ReplayLsn = new Lsn((ulong)view.ReportedApply),
                WriteLag = view.WriteLag,
                FlushLag = view.FlushLag,
                ReplayLag = view.ReplayLag,
                LagBytes = view.LagBytes,
                MeanNotDurableCommits = measuredNs > 0 ? view.NotDurableArea / measuredNs : 0,
                MeanDurabilityDelaySeconds = view.DurabilityDelayCount > 0
                    ? view.DurabilityDelaySum / view.DurabilityDelayCount / Duration.NanosPerSecond
                    : 0,
                Disconnections = view.Disconnections,
                DisconnectedTime = view.Connected ? view.DisconnectedTime : view.DisconnectedTime + (result.Now - view.DisconnectedSince),
            };
        }).ToArray();
        return new ClusterRunReport
        {
            ModelName = _spec.Name,
            Seed = _seed,
            TraceHash = _trace.Hash,
            Run = result,
            Failure = failure,
            Measured = new Duration(measuredNs),
            Commits = _commits,
            Reads = _reads,
            CommitLatency = _commitLatency,
            ReadStaleness = _readStaleness,
            Standbys = standbys,
            SemiSyncFallbacks = _semiSyncFallbacks,
            SemiSyncAsyncTime = _semiSyncAsyncTime,
            Failover = _failover is null ? null : BuildFailoverReport(result.Now),
        };
    }

    private FailoverRunReport BuildFailoverReport(Instant end)
    {
        FinishPendingWrites(end);
        RecordWalEnds();
        var leader = _hasDcs ? _etcd.Store.Snapshot.Get(_layout.LeaderKey)?.Value : null;
        return new FailoverRunReport
        {
            SettingsWarnings = _settingsWarnings,
            Promotions = _promotions,
            WatchdogResets = _watchdogResets,
            Rewinds = _rewinds,
            Acknowledged = _clientAcknowledged,
            Failed = _clientFailed,
            Unknown = _clientUnknown,
            RouteChanges = _routeChanges,
            FinalPrimaries = [.. _nodes.Where(n => _db[n.Id.Value] == DatabaseState.Primary).Select(n => n.Spec.Name)],
            FinalRoute = _endpoint.Target is { } target ? _spec.Nodes[target.Value].Name : null,
            FinalLeaderKey = leader,
            LeaderKeyChanges = _leaderKeyChanges,
        };
    }

    // pg_stat_replication's sync_state, extended to the storage quorum and semi-sync.
    private string SyncStateOf(ReplicaView view)
    {
        if (_initialRole.SyncRule is not { } rule)
        {
            return "async";
        }
        if (_spec.Replication.SynchronousStandbyNames is null && _spec.Replication.StorageQuorum is null && _semiSync is null)
        {
            // Patroni's synchronous_mode set the names: as the initial primary last had them.
            return rule.IsSync(view) ? "sync" : "async";
        }
        if (_spec.Replication.StorageQuorum is not null)
        {
            return view.Runtime.Spec.Role == NodeRole.Storage ? "quorum" : "async";
        }
        if (_semiSync is not null)
        {
            return "semisync";
        }
        var names = _spec.Replication.SynchronousStandbyNames!;
        if (!names.TryGetPriority(view.Runtime.Spec.Name, out var priority))
        {
            return "async";
        }
        if (names.Method == SyncMethod.Any)
        {
            return "quorum";
        }
        // FIRST k: the k highest-priority standbys are "sync", the other listed ones "potential".
        var better = _initialRole.Replicas.Count(r => names.TryGetPriority(r.Runtime.Spec.Name, out var p)
            && (p < priority || (p == priority && r.Node.Value < view.Node.Value)));
        return better < names.Count ? "sync" : "potential";
    }
}
