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
}

internal readonly record struct WireMessage(MessageKind Kind, long A, long B, long C, long Bytes);

/// <summary>
/// A one-way network path between two nodes, behaving as a TCP connection: messages are
/// serialized at the link's bandwidth, each takes a latency drawn from the link's distribution,
/// a lost message costs a retransmission timeout, and nothing overtakes: a message is never
/// delivered before the one sent ahead of it (head-of-line blocking included).
/// </summary>
internal sealed class Link
{
    private readonly LatencyDistribution _latency;
    private readonly double _bytesPerNanosecond; // +infinity when unlimited
    private readonly double _lossProbability;
    private readonly Duration _retransmissionTimeout;
    private readonly SimRandom _random;

    private readonly RingBuffer<WireMessage> _inFlight = new();
    private Instant _transmitterFreeAt = Instant.Start;
    private Instant _lastDeliveryAt = Instant.Start;

    public Link(int index, NodeId from, NodeId to, LatencyDistribution latency, double bytesPerSecond, double lossProbability,
        Duration retransmissionTimeout, ulong seed)
    {
        Index = index;
        From = from;
        To = to;
        _latency = latency;
        _bytesPerNanosecond = bytesPerSecond / Duration.NanosPerSecond;
        _lossProbability = lossProbability;
        _retransmissionTimeout = retransmissionTimeout;
        _random = new SimRandom(seed, StreamIds.FromName("link", index));
    }

    public int Index { get; }
    public NodeId From { get; }
    public NodeId To { get; }
    public LatencyDistribution Latency => _latency;

    /// <summary>Queues <paramref name="message"/> and returns when it will arrive; the caller schedules the delivery.</summary>
    public Instant Send(Instant now, in WireMessage message)
    {
        var start = Instant.Max(now, _transmitterFreeAt);
        var transmitted = start + Duration.FromNanosecondsRounded(message.Bytes / _bytesPerNanosecond);
        _transmitterFreeAt = transmitted;
        var arrival = transmitted + _latency.Sample(_random);
        if (_lossProbability > 0)
        {
            while (_random.NextDouble() < _lossProbability)
            {
                arrival += _retransmissionTimeout;
            }
        }
        arrival = Instant.Max(arrival, _lastDeliveryAt);
        _lastDeliveryAt = arrival;
        _inFlight.Enqueue(message);
        return arrival;
    }

    /// <summary>Takes the oldest message in flight: deliveries fire in send order.</summary>
    public WireMessage Deliver() => _inFlight.Dequeue();
}
