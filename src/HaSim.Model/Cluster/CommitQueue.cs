namespace HaSim.Model.Cluster;

/// <summary>
/// A commit waiting for acknowledgement: its commit record's end LSN, when it arrived, and whose it
/// is (-1: open loop); with automatic failover, also the client write it belongs to.
/// </summary>
internal record struct Waiter(long Lsn, long StartedAt, int Client, long Write = 0)
{
    /// <summary>Semi-sync only: when the commit's local flush completed and its wait for replicas began.</summary>
    public long FlushedAt;
}

/// <summary>
/// The primary's commits in flight, in LSN order (which is commit order), so that acknowledging
/// is popping from the front. It also keeps the two orders the variants need: for semi-sync,
/// how many commits at the front are locally flushed (their replica timeout runs); with group
/// commit off, the LSNs still to be flushed one by one.
/// </summary>
internal sealed class CommitQueue
{
    private readonly RingBuffer<Waiter> _waiters = new();
    private readonly RingBuffer<long> _unflushed = new();

    public int Count => _waiters.Count;

    /// <summary>Semi-sync: how many waiters at the front are flushed locally.</summary>
    public int Flushed { get; private set; }

    public ref Waiter Oldest => ref _waiters.Peek();

    public void Add(in Waiter waiter, bool flushSeparately)
    {
        _waiters.Enqueue(waiter);
        if (flushSeparately)
        {
            _unflushed.Enqueue(waiter.Lsn);
        }
    }

    /// <summary>Takes the oldest waiter if it is covered by <paramref name="releaseLsn"/>.</summary>
    public bool TryRelease(long releaseLsn, out Waiter waiter)
    {
        if (_waiters.Count == 0 || _waiters.Peek().Lsn > releaseLsn)
        {
            waiter = default;
            return false;
        }
        waiter = _waiters.Dequeue();
        Flushed = Math.Max(0, Flushed - 1);
        return true;
    }

    /// <summary>Semi-sync: commits up to <paramref name="flushedLsn"/> start waiting for replicas at <paramref name="nowNs"/>.</summary>
    public void MarkFlushed(long flushedLsn, long nowNs)
    {
        while (Flushed < _waiters.Count && _waiters[Flushed].Lsn <= flushedLsn)
        {
            _waiters[Flushed].FlushedAt = nowNs;
            Flushed++;
        }
    }

    /// <summary>
    /// Group commit off: the end of the oldest commit not yet flushed past <paramref name="flushedLsn"/>,
    /// so that the next flush covers exactly one commit; null when none is left.
    /// </summary>
    public long? NextSeparateFlush(long flushedLsn)
    {
        while (_unflushed.Count > 0 && _unflushed.Peek() <= flushedLsn)
        {
            _unflushed.Dequeue();
        }
        return _unflushed.Count > 0 ? _unflushed.Peek() : null;
    }
}
