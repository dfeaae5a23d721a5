using HaSim.Primitives;

namespace HaSim.Cli;

/// <summary>
/// Progress of a long run on the terminal's error stream: a bar redrawn in place when stderr is
/// a terminal, nothing otherwise (CI logs and pipes stay clean; the result goes to stdout).
/// Only runs that take a while show it.
/// </summary>
internal sealed class ProgressLine(string label) : IDisposable
{
    private static readonly TimeSpan ShowAfter = TimeSpan.FromSeconds(1);

    private readonly bool _enabled = !Console.IsErrorRedirected;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private bool _shown;

    public void Report(Instant now, Instant end)
    {
        if (!_enabled || _clock.Elapsed < ShowAfter)
        {
            return;
        }
        var fraction = end.NanosecondsSinceStart == 0 ? 1.0 : (double)now.NanosecondsSinceStart / end.NanosecondsSinceStart;
        var filled = (int)Math.Round(fraction * 30);
        var eta = fraction > 0 ? _clock.Elapsed * ((1 - fraction) / fraction) : TimeSpan.Zero;
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', 30 - filled)}] {fraction,4:P0} of {end.SinceStart} simulated, ETA {eta.TotalSeconds:0}s ");
        _shown = true;
    }

    public void Dispose()
    {
        if (_shown)
        {
            Console.Error.Write("\r" + new string(' ', Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 120) : 100) + "\r");
        }
    }
}
