using HaSim.Kernel;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>MySQL semi-synchronous replication: the timeout fallback and the resume.</summary>
internal sealed partial class ClusterSimulation
{
    /// <summary>Times the oldest commit waiting for replicas: rpl_semi_sync_master_timeout after its local flush.</summary>
    private void ArmSemiSyncTimer(Instant now)
    {
        if (_semiSyncAsync || _initialRole.Commits.Flushed == 0 || _scheduler.IsPending(_semiSyncTimer))
        {
            return;
        }
        ref var oldest = ref _initialRole.Commits.Oldest;
        var deadline = Instant.Max(now, new Instant(oldest.FlushedAt) + _semiSync!.Timeout);
        _semiSyncTimer = _scheduler.At(deadline, new ModelEvent(EventKind.SemiSyncTimeout, 0, oldest.Lsn));
    }

    private void SemiSyncTimedOut(Instant now, long lsn)
    {
        _semiSyncTimer = TimerHandle.None;
        if (_initialRole.Commits.Count == 0 || _initialRole.Commits.Oldest.Lsn != lsn)
        {
            ArmSemiSyncTimer(now);
            return;
        }
        // rpl_semi_sync_master_timeout: stop waiting for replicas until one catches up.
        _semiSyncAsync = true;
        _semiSyncFallbacks++;
        _semiSyncAsyncSince = now;
        _trace.Record(now, SemiSyncOffKind, -1, lsn);
        ReleaseCommits(now, _initialRole);
    }

    private void ResumeSemiSync(Instant now)
    {
        _semiSyncAsync = false;
        _semiSyncAsyncTime += now - Instant.Max(_semiSyncAsyncSince, _warmupEnd);
        _trace.Record(now, SemiSyncOnKind, -1, _initialRole.Node.Flushed);
        ArmSemiSyncTimer(now);
    }
}
