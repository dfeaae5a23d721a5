namespace HaSim.Experiments.Plots;

/// <summary>A metric column described for people: <c>commit_latency_p99_us</c> is "commit latency p99" in µs.</summary>
/// <param name="Name">Words for legends and titles.</param>
/// <param name="Unit">The unit from the name's suffix: µs, ms, s, "per s", or empty for counts.</param>
public sealed record MetricName(string Metric, string Name, string Unit)
{
    /// <summary><c>name (unit)</c>, or the name alone for counts.</summary>
    public string Label => Unit.Length == 0 ? Name : $"{Name} ({Unit})";
}

/// <summary>How plot labels and units follow from the snake_case metric names the CSV files use.</summary>
public static class MetricNames
{
    private static readonly (string Suffix, string Unit)[] Suffixes =
    [
        ("_per_s", "per s"),
        ("_us", "µs"),
        ("_ms", "ms"),
        ("_s", "s"),
    ];

    private static readonly (string Word, string Shown)[] Words =
    [
        ("rto", "RTO"), ("rpo", "RPO"), ("p999", "p99.9"), ("wal", "WAL"), ("lsn", "LSN"),
        ("ci95", "95% CI"), ("dcs", "DCS"),
    ];

    /// <summary>Time units from finest to coarsest with their size in seconds.</summary>
    private static readonly (string Unit, double Seconds)[] TimeUnits = [("µs", 1e-6), ("ms", 1e-3), ("s", 1)];

    public static MetricName Describe(string metric)
    {
        var stem = metric;
        var unit = "";
        foreach (var (suffix, u) in Suffixes)
        {
            if (stem.EndsWith(suffix, StringComparison.Ordinal) && stem.Length > suffix.Length)
            {
                stem = stem[..^suffix.Length];
                unit = u;
                break;
            }
        }
        var words = stem.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => Words.FirstOrDefault(x => x.Word == w) is { Shown: { } shown } ? shown : w);
        return new MetricName(metric, string.Join(' ', words), unit);
    }

    /// <summary>
    /// A coarser time unit when the values in <paramref name="unit"/> reach 1000 or more (1500 µs reads
    /// better as 1.5 ms), with the multiplier to it; other units are left as they are.
    /// </summary>
    public static (string Unit, double Multiplier) Readable(string unit, double maxValue)
    {
        var index = Array.FindIndex(TimeUnits, t => t.Unit == unit);
        if (index < 0 || !double.IsFinite(maxValue))
        {
            return (unit, 1);
        }
        var multiplier = 1.0;
        while (index + 1 < TimeUnits.Length && Math.Abs(maxValue * multiplier) >= 1000)
        {
            multiplier *= TimeUnits[index].Seconds / TimeUnits[index + 1].Seconds;
            index++;
        }
        return (TimeUnits[index].Unit, multiplier);
    }
}
