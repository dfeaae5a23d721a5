using System.Collections.Concurrent;

namespace HaSim.Agent;

/// <summary>
/// Log lines queued and written by a thread of their own, so the HA loop never waits on its
/// output: a slow or full stdout (a pipe nobody drains, a stalled terminal) must not delay a
/// leader-key renewal. Patroni logs through a queue and a thread for the same reason.
/// </summary>
public sealed class AsyncLog : IDisposable
{
    private readonly BlockingCollection<string> _lines = new(new ConcurrentQueue<string>(), boundedCapacity: 100_000);
    private readonly Thread _writer;
    private long _dropped;

    public AsyncLog(TextWriter output)
    {
        _writer = new Thread(() =>
        {
            foreach (var line in _lines.GetConsumingEnumerable())
            {
                output.WriteLine(line);
                if (_lines.Count == 0)
                {
                    output.Flush();
                }
            }
            output.Flush();
        })
        {
            IsBackground = true,
            Name = "log writer",
        };
        _writer.Start();
    }

    /// <summary>Queues a line; never blocks (a line is dropped, and counted, when 100,000 are already waiting).</summary>
    public void Write(string line)
    {
        if (!_lines.TryAdd(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Writes what is queued, then stops.</summary>
    public void Dispose()
    {
        _lines.CompleteAdding();
        if (_writer.Join(TimeSpan.FromSeconds(5)))
        {
            _lines.Dispose(); // a writer still stuck on its output keeps the queue it reads
        }
    }
}
