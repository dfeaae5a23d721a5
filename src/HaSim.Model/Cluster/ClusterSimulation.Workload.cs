using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>The workload: open- and closed-loop transactions, reads and their staleness.</summary>
internal sealed partial class ClusterSimulation
{
    private void StartTransaction(Instant now, int client, Instant arrivedAt)
    {
        if (_failover is not null)
        {
            StartClientTransaction(now, client);
            return;
        }
        var role = _initialRole;
        var primary = role.Node;
        if (now < primary.PausedUntil)
        {
            // The request waits in the paused primary's socket; its latency counts from arrival.
            Hold(primary.PausedUntil, new ModelEvent(EventKind.DeferredTransaction, client, arrivedAt.NanosecondsSinceStart));
            return;
        }
        var workload = _spec.Workload;
        if (workload.ReadFraction > 0 && _mixRandom.NextDouble() < workload.ReadFraction)
        {
            Read(now, client);
            return;
        }
        var size = workload.TransactionSize.Sample(_sizeRandom);
        primary.Received += size;
        var lsn = primary.Received;
        role.Commits.Add(new Waiter(lsn, arrivedAt.NanosecondsSinceStart, client), flushSeparately: !_groupCommit);
        if (_shipOnInsert)
        {
            ShipWal(now, role, primary.Received);
            ReleaseCommits(now, role);
        }
        else
        {
            StartWalWrite(now, primary);
            if (!_waitForLocalFlush)
            {
                ReleaseCommits(now, role); // synchronous_commit = off: acknowledged before any flush
            }
        }
    }

    /// <summary>With automatic failover, a write goes through the clients' endpoint; reads are served as without it.</summary>
    private void StartClientTransaction(Instant now, int client)
    {
        var workload = _spec.Workload;
        if (workload.ReadFraction > 0 && _mixRandom.NextDouble() < workload.ReadFraction)
        {
            Read(now, client);
            return;
        }
        BeginClientWrite(now, client);
    }

    private void Read(Instant now, int client)
    {
        long staleness = 0;
        var target = -1;
        if (_spec.Workload.ReadRouting == ReadRouting.Replicas && _readReplicas.Length > 0)
        {
            var replica = _readReplicas[_mixRandom.NextInt(_readReplicas.Length)];
            target = replica.Node.Value;
            AdvanceReplay(replica.Runtime, now); // what it replayed by now is off the not-replayed list
            if (replica.NotReplayed.Count > 0)
            {
                staleness = now.NanosecondsSinceStart - replica.NotReplayed.Peek().AckedAt;
            }
        }
        if (_measuring)
        {
            _reads++;
            _readStaleness.Record(staleness);
        }
        _trace.Record(now, ReadKind, target, staleness);
        ClientDone(now, client);
    }

    private void ClientDone(Instant now, int client)
    {
        if (client >= 0)
        {
            _scheduler.PostAfter(_spec.Workload.ClosedLoop!.ThinkTime.Sample(_thinkRandom), new ModelEvent(EventKind.ClientReady, client, 0));
        }
    }
}
