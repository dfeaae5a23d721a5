namespace HaSim.Experiments.Plots;

/// <summary>What every plot takes: input, output (its extension picks PNG or SVG), size, title, filters.</summary>
public abstract record PlotOptions
{
    public const int DefaultWidth = 1200;
    public const int DefaultHeight = 700;

    /// <summary>The CSV file (or, for a timeline, the run's output directory).</summary>
    public required string Input { get; init; }

    /// <summary>The image to write: <c>.png</c> or <c>.svg</c>.</summary>
    public required string Output { get; init; }

    /// <summary>Overrides the title derived from the experiment or model name and the metric.</summary>
    public string? Title { get; init; }

    public int Width { get; init; } = DefaultWidth;

    public int Height { get; init; } = DefaultHeight;

    /// <summary><c>PARAM=VALUE</c> filters on sweep parameters (alternatives for one parameter, all for different ones).</summary>
    public IReadOnlyList<string> Where { get; init; } = [];
}

/// <summary><c>hasim plot cdf</c>: commit-latency CDFs from latency_cdf.csv, one line per configuration.</summary>
public sealed record CdfPlotOptions : PlotOptions
{
    public bool LogX { get; init; }
}

/// <summary><c>hasim plot lines</c>: means with 95% confidence intervals from stats.csv against a numeric parameter.</summary>
public sealed record LinesPlotOptions : PlotOptions
{
    public required string X { get; init; }

    /// <summary>Parameters that tell the lines apart; parameters that vary and are not named here are added after them.</summary>
    public IReadOnlyList<string> Series { get; init; } = [];

    public required IReadOnlyList<string> Metrics { get; init; }

    public string? XLabel { get; init; }

    public string? YLabel { get; init; }

    public bool LogX { get; init; }

    /// <summary>The metric on a log scale (for designs whose values differ by orders of magnitude).</summary>
    public bool LogY { get; init; }
}

/// <summary><c>hasim plot box</c>: the distribution across seeds of one metric from runs.csv, per configuration.</summary>
public sealed record BoxPlotOptions : PlotOptions
{
    public required string X { get; init; }

    public IReadOnlyList<string> Series { get; init; } = [];

    public required string Metric { get; init; }

    public string? XLabel { get; init; }

    public string? YLabel { get; init; }
}

/// <summary><c>hasim plot timeline</c>: roles, leader key, faults and client writes of one run (timeline.csv and writes.csv).</summary>
public sealed record TimelinePlotOptions : PlotOptions
{
    /// <summary>Which run, when the files hold several.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Moments to mark with a labelled vertical line across the figure (e.g. where an invariant was violated).</summary>
    public IReadOnlyList<TimelineMarker> Markers { get; init; } = [];
}

/// <summary>A moment of a timeline figure, in seconds since the start of the run, and its label.</summary>
public sealed record TimelineMarker(double Seconds, string Label);

/// <summary>What a plot command drew, for its one-line report.</summary>
/// <param name="Legend">The legend entries, in order (empty when the figure has one series).</param>
public sealed record PlotResult(string Output, string Title, IReadOnlyList<string> Legend);
