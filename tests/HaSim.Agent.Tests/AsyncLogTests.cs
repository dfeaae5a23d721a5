using System.Diagnostics;
using System.Text;

namespace HaSim.Agent.Tests;

public sealed class AsyncLogTests
{
    /// <summary>An output that blocks every write until released, like a pipe nobody drains.</summary>
    private sealed class StuckWriter : TextWriter
    {
        public ManualResetEventSlim Released { get; } = new();
        public List<string> Lines { get; } = [];

        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            Released.Wait();
            lock (Lines)
            {
                Lines.Add(value ?? "");
            }
        }
    }

    [Fact]
    public void Writing_never_waits_for_a_stuck_output_and_every_line_comes_out_in_order_once_it_moves()
    {
        var output = new StuckWriter();
        var watch = Stopwatch.StartNew();
        using (var log = new AsyncLog(output))
        {
            for (var i = 0; i < 1000; i++)
            {
                log.Write("line " + i);
            }
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"1000 writes took {watch.Elapsed} against a stuck output");
            output.Released.Set();
        }
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => "line " + i), output.Lines);
    }
}
