using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using HaSim.Primitives;

namespace HaSim.Kernel;

/// <summary>
/// A kind of traced state change, such as "commit" or "promote". Its id is a stable hash of the
/// name (never string.GetHashCode), so a trace hash means the same thing in every process.
/// Declare kinds once, as static readonly fields, and reuse them.
/// </summary>
public sealed class TraceKind
{
    public TraceKind(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Id = StreamIds.FromName(name);
    }

    public string Name { get; }
    public ulong Id { get; }
    public override string ToString() => Name;
}

/// <summary>
/// One recorded state change: what happened, when, to whom (an entity index such as a node id,
/// or -1), and two integer values whose meaning the kind defines (an LSN, a term, a count...).
/// </summary>
public readonly record struct TraceEvent(Instant Time, TraceKind Kind, int Subject, long A, long B)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Time} {Kind.Name} subject={Subject} a={A} b={B}");
}

/// <summary>Receives trace events as they are recorded (for timelines, Chrome traces, checkers).</summary>
public interface ITraceSink
{
    void Record(in TraceEvent ev);
}

/// <summary>
/// The record of a run's state changes and its 64-bit fingerprint: XxHash64 over a fixed binary
/// layout of every event (little-endian time, kind id, subject, a, b). Two runs with the same
/// hash made the same state changes at the same nanoseconds. Hashing is buffered so that
/// recording allocates nothing.
/// </summary>
public sealed class Trace
{
    private const int RecordSize = 8 + 8 + 4 + 8 + 8;
    private const int BufferRecords = 128;

    private readonly XxHash64 _hash = new();
    private readonly byte[] _buffer = new byte[RecordSize * BufferRecords];
    private readonly ITraceSink? _sink;
    private int _buffered;

    public Trace(ITraceSink? sink = null)
    {
        _sink = sink;
    }

    /// <summary>Events recorded so far.</summary>
    public long Count { get; private set; }

    public void Record(Instant time, TraceKind kind, int subject = -1, long a = 0, long b = 0)
    {
        var span = _buffer.AsSpan(_buffered, RecordSize);
        BinaryPrimitives.WriteInt64LittleEndian(span, time.NanosecondsSinceStart);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], kind.Id);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], subject);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], a);
        BinaryPrimitives.WriteInt64LittleEndian(span[28..], b);
        _buffered += RecordSize;
        if (_buffered == _buffer.Length)
        {
            Flush();
        }
        Count++;
        _sink?.Record(new TraceEvent(time, kind, subject, a, b));
    }

    /// <summary>The hash of everything recorded so far (recording may continue afterwards).</summary>
    public ulong Hash
    {
        get
        {
            Flush();
            return _hash.GetCurrentHashAsUInt64();
        }
    }

    /// <summary>The line every run prints: <c>seed=&lt;n&gt; trace=&lt;16 hex digits&gt;</c>.</summary>
    public string Fingerprint(ulong seed) => FormatFingerprint(seed, Hash);

    public static string FormatFingerprint(ulong seed, ulong traceHash) =>
        string.Create(CultureInfo.InvariantCulture, $"seed={seed} trace={traceHash:x16}");

    private void Flush()
    {
        if (_buffered > 0)
        {
            _hash.Append(_buffer.AsSpan(0, _buffered));
            _buffered = 0;
        }
    }
}

/// <summary>Keeps the first <see cref="Capacity"/> events of a run in memory and counts the rest.</summary>
public sealed class BoundedTraceBuffer(int capacity) : ITraceSink
{
    private readonly List<TraceEvent> _events = new(Math.Min(capacity, 4096));

    public int Capacity { get; } = capacity;
    public IReadOnlyList<TraceEvent> Events => _events;
    public long Dropped { get; private set; }

    public void Record(in TraceEvent ev)
    {
        if (_events.Count < Capacity)
        {
            _events.Add(ev);
        }
        else
        {
            Dropped++;
        }
    }
}
