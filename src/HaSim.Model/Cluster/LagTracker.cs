using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// PostgreSQL's walsender lag tracker: the primary notes (LSN, time) as it sends WAL, and when a
/// reply says a standby has written, flushed or applied up to some LSN, the lag is the time since
/// the newest noted LSN at or below it was sent. This is what pg_stat_replication's write_lag,
/// flush_lag and replay_lag report. The buffer is bounded, like PostgreSQL's (8192 samples); when
/// it is full, new samples are skipped, which only coarsens the estimate.
/// </summary>
internal sealed class LagTracker
{
    public const int Capacity = 8192;

    private readonly long[] _lsn = new long[Capacity];
    private readonly long[] _time = new long[Capacity];
    private readonly int[] _readHead = new int[3]; // one per AckPoint
    private int _writeHead;
    private int _count;
    private int _oldest;

    public Duration[] LastLag { get; } = [Duration.Zero, Duration.Zero, Duration.Zero];

    public void NoteSent(long lsn, Instant now)
    {
        if (_count == Capacity)
        {
            return;
        }
        if (_count > 0 && _lsn[(_writeHead - 1) & (Capacity - 1)] >= lsn)
        {
            return;
        }
        _lsn[_writeHead] = lsn;
        _time[_writeHead] = now.NanosecondsSinceStart;
        _writeHead = (_writeHead + 1) & (Capacity - 1);
        _count++;
    }

    /// <summary>The lag for a reported position, or null when the reply moved past no new sample.</summary>
    public Duration? Read(AckPoint point, long reportedLsn, Instant now)
    {
        var p = (int)point;
        var head = _readHead[p];
        long sentAt = -1;
        while (head != _writeHead && _lsn[head] <= reportedLsn)
        {
            sentAt = _time[head];
            head = (head + 1) & (Capacity - 1);
        }
        _readHead[p] = head;
        ReleaseConsumed();
        if (sentAt < 0)
        {
            return null;
        }
        var lag = new Duration(now.NanosecondsSinceStart - sentAt);
        LastLag[p] = lag;
        return lag;
    }

    // A sample can be dropped once every reader (write, flush and apply) has moved past it.
    private void ReleaseConsumed()
    {
        while (_count > 0 && _oldest != _readHead[0] && _oldest != _readHead[1] && _oldest != _readHead[2])
        {
            _oldest = (_oldest + 1) & (Capacity - 1);
            _count--;
        }
    }
}
