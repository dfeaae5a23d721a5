using HaSim.Kernel;
using HaSim.Kernel.Distributions;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

internal enum MessageKind : byte
{
    /// <summary>WAL from the primary's sender: bytes (<see cref="WireMessage.A"/>, <see cref="WireMessage.B"/>].</summary>
    WalData,
    /// <summary>A standby's reply: write <see cref="WireMessage.A"/>, flush <see cref="WireMessage.B"/>, apply <see cref="WireMessage.C"/>.</summary>
    StandbyReply,
    /// <summary>A standby asks for WAL from its flushed position <see cref="WireMessage.A"/> on timeline <see cref="WireMessage.B"/> (START_REPLICATION).</summary>
    StartReplication,
    /// <summary>The primary refuses a START_REPLICATION: the standby's WAL has diverged from its timeline history.</summary>
    StreamRefused,
    /// <summary>The primary takes a START_REPLICATION: the standby now follows timeline <see cref="WireMessage.A"/>.</summary>
    StreamStarted,
}

/// <summary>A message on a replication connection; <paramref name="Epoch"/> is its streaming session (see <see cref="NodeRuntime.StreamEpoch"/>).</summary>
internal readonly record struct WireMessage(MessageKind Kind, long A, long B, long C, long Bytes, int Epoch = 0);

/// <summary>
/// A one-way network path between two nodes, behaving as a TCP connection: messages are
/// serialized at the link's bandwidth, each takes a latency drawn from the link's distribution,
/// a lost message costs a retransmission timeout, and nothing overtakes: a message is never
/// delivered before the one sent ahead of it (head-of-line blocking included).
/// While a partition blocks the link, messages that reach its far end are held, as TCP keeps
/// unacknowledged data for retransmission, and go through, in order, once it heals.
/// </summary>
internal sealed class Link
{
    private readonly LatencyDistribution _baseLatency;
    private readonly double _baseLossProbability;
    private readonly double _bytesPerNanosecond; // +infinity when unlimited
    private LatencyDistribution _latency;
    private double _lossProbability;
    private int _partitions; // partitions currently blocking this link
    private int _held;       // messages at the head of the queue waiting for the partition to heal
    private int _lost;       // messages at the head of the queue lost with their sender's crash
    private readonly Duration _retransmissionTimeout;
    private readonly SimRandom _random;

    private readonly RingBuffer<WireMessage> _inFlight = new();
    private Instant _transmitterFreeAt = Instant.Start;
    private Instant _lastDeliveryAt = Instant.Start;

    /// <param name="streamName">Names the link's random stream, e.g. "link pg1->pg2": by the nodes'
    /// names, so that adding nodes or links never shifts the draws of another link.</param>
    public Link(int index, NodeId from, NodeId to, string streamName, LatencyDistribution latency, double bytesPerSecond, double lossProbability,
        Duration retransmissionTimeout, ulong seed)
    {
        Index = index;
        From = from;
        To = to;
        _latency = _baseLatency = latency;
        _bytesPerNanosecond = bytesPerSecond / Duration.NanosPerSecond;
        _lossProbability = _baseLossProbability = lossProbability;
        _retransmissionTimeout = retransmissionTimeout;
        _random = new SimRandom(seed, streamName);
    }

    public int Index { get; }
    public NodeId From { get; }
    public NodeId To { get; }
    public bool Blocked => _partitions > 0;

    /// <summary>Queues <paramref name="message"/> and returns when it will arrive; the caller schedules the delivery.</summary>
    public Instant Send(Instant now, in WireMessage message)
    {
        var start = Instant.Max(now, _transmitterFreeAt);
        var transmitted = start + Duration.FromNanosecondsRounded(message.Bytes / _bytesPerNanosecond);
        _transmitterFreeAt = transmitted;
        _inFlight.Enqueue(message);
        return Arrival(transmitted);
    }

    /// <summary>When a message that leaves at <paramref name="departure"/> arrives: latency, losses, and never before the previous one.</summary>
    private Instant Arrival(Instant departure)
    {
        var arrival = departure + _latency.SampleInline(_random);
        if (_lossProbability > 0)
        {
            while (_random.NextDouble() < _lossProbability)
            {
                arrival += _retransmissionTimeout;
            }
        }
        arrival = Instant.Max(arrival, _lastDeliveryAt);
        _lastDeliveryAt = arrival;
        return arrival;
    }

    /// <summary>
    /// Hands over the oldest message in flight when its delivery is due; false while a partition
    /// blocks the link, in which case the message is held until <see cref="Heal"/>, and false for
    /// a message lost with its sender (<see cref="Sever"/>).
    /// </summary>
    public bool TryDeliver(out WireMessage message)
    {
        if (Blocked)
        {
            _held++;
            message = default;
            return false;
        }
        message = _inFlight.Dequeue();
        if (_lost > 0)
        {
            _lost--;
            return false;
        }
        return true;
    }

    /// <summary>
    /// The sender's machine crashed: whatever it sent that has not been delivered yet is lost.
    /// Each lost message's delivery event still fires (or is retransmitted after a partition) and
    /// finds nothing, so later messages keep their own deliveries.
    /// </summary>
    public void Sever() => _lost = _inFlight.Count;

    public void Block() => _partitions++;

    /// <summary>
    /// Lifts one partition. When none is left, every held message is retransmitted now: the
    /// caller schedules one delivery at each returned arrival time, in order.
    /// </summary>
    public void Heal(Instant now, List<Instant> arrivals)
    {
        if (_partitions == 0 || --_partitions > 0)
        {
            return;
        }
        for (; _held > 0; _held--)
        {
            arrivals.Add(Arrival(now));
        }
    }

    /// <summary>Another latency or loss until <see cref="RestoreQuality"/>.</summary>
    public void Degrade(LatencyDistribution? latency, double? lossProbability)
    {
        _latency = latency ?? _latency;
        _lossProbability = lossProbability ?? _lossProbability;
    }

    public void RestoreQuality()
    {
        _latency = _baseLatency;
        _lossProbability = _baseLossProbability;
    }

}
