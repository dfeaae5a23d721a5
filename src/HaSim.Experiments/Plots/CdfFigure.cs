using ScottPlot;

namespace HaSim.Experiments.Plots;

/// <summary>Commit-latency CDFs from latency_cdf.csv: one line per configuration.</summary>
public static class CdfFigure
{
    /// <summary>More points than a CDF line needs to look smooth are dropped (SVG size).</summary>
    private const int MaxPointsPerLine = 1000;

    public static PlotResult Draw(CdfPlotOptions options)
    {
        FigureFile.FormatOf(options.Output);
        FigureFile.CheckSize(options.Width, options.Height);
        var table = SweepTable.Read(options.Input, "latency_us");
        var latency = table.Csv.RequireColumn("latency_us", "hasim sweep");
        var fraction = table.Csv.RequireColumn("cumulative_fraction", "hasim sweep");
        var rows = table.Select(options.Where);
        var varying = table.Varying(rows);

        var configs = new SortedDictionary<int, List<CsvRecord>>();
        foreach (var row in rows)
        {
            var config = table.Config(row);
            if (!configs.TryGetValue(config, out var list))
            {
                configs[config] = list = [];
            }
            list.Add(row);
        }

        var lines = new List<(string Label, double[] Us, double[] Fractions)>();
        foreach (var (config, configRows) in configs)
        {
            var points = configRows
                .Select(r => (Us: table.Csv.RequireNumber(r, latency), Fraction: table.Csv.RequireNumber(r, fraction)))
                .Where(p => !options.LogX || p.Us > 0)
                .OrderBy(p => p.Us).ThenBy(p => p.Fraction)
                .ToArray();
            if (points.Length == 0)
            {
                continue;
            }
            var label = varying.Count > 0 ? table.Label(configRows[0], varying) : $"config {config}";
            lines.Add((label, points.Select(p => p.Us).ToArray(), points.Select(p => p.Fraction).ToArray()));
        }
        if (lines.Count == 0)
        {
            throw new PlotInputException($"{table.File}: no positive latencies to put on a log axis");
        }

        var maxUs = lines.Max(l => l.Us[^1]);
        var minUs = lines.Min(l => l.Us[0]);
        var (unit, multiplier) = MetricNames.Readable("µs", maxUs);
        var plot = FigureStyle.NewPlot();
        var drawn = new List<(double[] Xs, double[] Fractions)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var xs = lines[i].Us.Select(u => options.LogX ? Math.Log10(u * multiplier) : u * multiplier).ToArray();
            var (dx, dy) = FigureStyle.Downsample(xs, lines[i].Fractions, MaxPointsPerLine);
            drawn.Add((dx, dy));
            var scatter = plot.Add.ScatterLine(dx, dy, FigureStyle.SeriesColor(i));
            scatter.LineWidth = 2.5f;
            // A pattern per line as well as a color: identical distributions (two designs that commit
            // the same way) would otherwise draw one line over the other, and one design would vanish.
            scatter.LinePattern = FigureStyle.Pattern(i);
            scatter.LegendText = lines.Count > 1 ? lines[i].Label : "";
        }
        if (options.LogX)
        {
            FigureStyle.LogTicks(plot.Axes.Bottom, minUs * multiplier, maxUs * multiplier);
        }
        var fractions = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i <= 10; i++)
        {
            fractions.AddMajor(i / 10.0, FigureStyle.FormatNumber(i / 10.0));
            fractions.AddMinor(i / 10.0 + 0.05);
        }
        plot.Axes.Left.TickGenerator = fractions;
        plot.Axes.SetLimitsY(0, 1.02);
        var title = options.Title ?? $"{table.Experiment(rows)}: commit latency CDF{WhereSuffix(options.Where)}";
        FigureStyle.Label(plot, title, $"commit latency ({unit}{(options.LogX ? ", log scale" : "")})", "fraction of commits");
        FigureStyle.Legend(plot, lines.Count, EmptyCorner(drawn, LegendShare(lines.Select(l => l.Label), options.Width, options.Height)));
        FigureFile.Save(plot, options.Output, options.Width, options.Height);
        return new PlotResult(options.Output, title, lines.Count > 1 ? lines.Select(l => l.Label).ToArray() : []);
    }

    /// <summary>
    /// The share of the data area's width and height a legend of <paramref name="labels"/> takes,
    /// over-estimated a little: at the figures' legend font, about 8.5 px a character plus the line
    /// sample and frame across, and 23 px an entry plus the frame down, in a data area some 120 px
    /// narrower and 110 px shorter than the figure.
    /// </summary>
    internal static (double Width, double Height) LegendShare(IEnumerable<string> labels, int width, int height)
    {
        var entries = labels.ToArray();
        var longest = entries.Length == 0 ? 0 : entries.Max(l => l.Length);
        return (Math.Min(1, (70 + 8.5 * longest) / Math.Max(1, width - 120)), Math.Min(1, (20 + 23.0 * entries.Length) / Math.Max(1, height - 110)));
    }

    /// <summary>
    /// Where the legend can sit inside the plot without hiding a line: the lower right, where CDFs,
    /// which rise to the left and flatten at the top, usually leave room; else the upper left; null
    /// (beside the plot) when a line runs through both, as a latency far to the right of the others
    /// climbs through the lower right. A corner is the legend's <paramref name="share"/> of the data's
    /// x range and of the fraction axis (0 to 1.02); a line runs through it when one of its segments'
    /// bounding boxes meets it (CDF segments only rise to the right, so that is close).
    /// </summary>
    internal static Alignment? EmptyCorner(IReadOnlyList<(double[] Xs, double[] Fractions)> lines, (double Width, double Height) share)
    {
        var xMin = lines.Min(l => l.Xs.Min());
        var xMax = lines.Max(l => l.Xs.Max());
        var legendWidth = share.Width * (xMax - xMin);
        var legendHeight = share.Height * 1.02;
        if (!AnyLineMeets(lines, xMax - legendWidth, xMax, 0, legendHeight))
        {
            return Alignment.LowerRight;
        }
        if (!AnyLineMeets(lines, xMin, xMin + legendWidth, 1.02 - legendHeight, 1.02))
        {
            return Alignment.UpperLeft;
        }
        return null;
    }

    private static bool AnyLineMeets(IReadOnlyList<(double[] Xs, double[] Fractions)> lines, double left, double right, double bottom, double top)
    {
        foreach (var (xs, ys) in lines)
        {
            for (var i = 0; i < xs.Length; i++)
            {
                var j = Math.Min(i + 1, xs.Length - 1);
                if (Math.Max(xs[i], xs[j]) >= left && Math.Min(xs[i], xs[j]) <= right
                    && Math.Max(ys[i], ys[j]) >= bottom && Math.Min(ys[i], ys[j]) <= top)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary><c> [design=first1 or any1, failover.ttl=30s]</c> for titles when rows were filtered.</summary>
    internal static string WhereSuffix(IReadOnlyList<string> where)
    {
        if (where.Count == 0)
        {
            return "";
        }
        var parts = new List<(string Name, List<string> Values)>();
        foreach (var w in where)
        {
            var eq = w.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = eq < 0 ? (w.Trim(), "") : (w[..eq].Trim(), w[(eq + 1)..].Trim());
            var part = parts.Find(p => p.Name == name);
            if (part.Values is null)
            {
                parts.Add((name, [value]));
            }
            else
            {
                part.Values.Add(value);
            }
        }
        return " [" + string.Join(", ", parts.Select(p => p.Name + "=" + string.Join(" or ", p.Values))) + "]";
    }
}
