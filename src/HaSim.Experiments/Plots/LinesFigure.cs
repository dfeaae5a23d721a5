using System.Globalization;
using ScottPlot;

namespace HaSim.Experiments.Plots;

/// <summary>Means of metrics with 95% confidence intervals from stats.csv, against a numeric parameter.</summary>
public static class LinesFigure
{
    public static PlotResult Draw(LinesPlotOptions options)
    {
        FigureFile.FormatOf(options.Output);
        FigureFile.CheckSize(options.Width, options.Height);
        if (options.Metrics.Count == 0)
        {
            throw new PlotInputException($"{options.Input}: no --metric given; expected at least one");
        }
        var table = SweepTable.Read(options.Input, "metric");
        var csv = table.Csv;
        const string from = "hasim sweep (stats.csv)";
        var metricColumn = csv.RequireColumn("metric", from);
        var mean = csv.RequireColumn("mean", from);
        var low = csv.RequireColumn("mean_ci95_low", from);
        var high = csv.RequireColumn("mean_ci95_high", from);
        var xColumn = table.ParameterColumn(options.X, "--x");
        var rows = table.Select(options.Where);

        var available = SweepTable.Distinct(csv.Rows, metricColumn);
        foreach (var m in options.Metrics)
        {
            if (!available.Contains(m, StringComparer.Ordinal))
            {
                throw new PlotInputException($"{table.File}: --metric: no metric '{m}'{PlotSpelling.Hint(m, available)}; metrics: {PlotSpelling.List(available)}");
            }
        }
        var metrics = options.Metrics.Distinct(StringComparer.Ordinal).Select(MetricNames.Describe).ToArray();
        var (unit, toUnit) = CommonUnit(table.File, metrics);

        var seriesParameters = SeriesKeys.Resolve(table, rows, options.X, options.Series);
        var series = SeriesKeys.Group(table, rows, seriesParameters);
        var axis = Quantities.Axis(table.File, options.X, SweepTable.Distinct(rows, xColumn));
        var xTexts = SweepTable.Distinct(rows, xColumn);

        var lines = new List<Line>();
        for (var m = 0; m < metrics.Length; m++)
        {
            for (var s = 0; s < series.Count; s++)
            {
                var points = new List<(double X, double Mean, double Low, double High)>();
                foreach (var row in series[s].Rows)
                {
                    if (row[metricColumn] != metrics[m].Metric || csv.Number(row, mean) is not { } y)
                    {
                        continue;
                    }
                    var x = axis.Values[IndexOf(xTexts, row[xColumn])];
                    var factor = toUnit[m];
                    points.Add((x, y * factor, (csv.Number(row, low) ?? y) * factor, (csv.Number(row, high) ?? y) * factor));
                }
                if (points.Count == 0)
                {
                    continue;
                }
                points.Sort((a, b) => a.X.CompareTo(b.X));
                if (options.LogX && points.Any(p => p.X <= 0))
                {
                    throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                        $"{table.File}: --log-x: parameter '{options.X}' has the value {points.First(p => p.X <= 0).X} {axis.Unit}, which a log axis cannot show"));
                }
                var label = (seriesParameters.Count > 0, metrics.Length > 1) switch
                {
                    (true, true) => $"{series[s].Label}, {metrics[m].Name}",
                    (true, false) => series[s].Label,
                    (false, true) => metrics[m].Name,
                    _ => metrics[m].Name,
                };
                lines.Add(new Line(label, m, s, points.ToArray()));
            }
        }
        if (lines.Count == 0)
        {
            throw new PlotInputException($"{table.File}: the selected rows have no value for {string.Join(" or ", metrics.Select(m => m.Metric))} (the mean column is empty)");
        }

        // Coarser time units when the numbers run into thousands.
        var (shownUnit, rescale) = options.YLabel is null ? MetricNames.Readable(unit, lines.Max(l => l.Points.Max(p => Math.Abs(p.High)))) : (unit, 1.0);
        var plot = FigureStyle.NewPlot();
        var colorBySeries = series.Count > 1;
        double Plotted(double x) => options.LogX ? Math.Log10(x) : x;
        if (options.LogY && lines.Any(l => l.Points.Any(p => p.Mean <= 0)))
        {
            throw new PlotInputException($"{table.File}: --log-y: a mean of {CommonName(metrics)} is zero or negative, which a log axis cannot show");
        }
        double PlottedY(double y) => options.LogY ? Math.Log10(y) : y;
        var allX = lines.SelectMany(l => l.Points).Select(p => Plotted(p.X)).ToArray();
        // Series side by side at each x (a fraction of the x range apart), so their error bars do not hide each other.
        var dodge = series.Count > 1 ? (allX.Max() - allX.Min()) * 0.008 : 0;
        foreach (var line in lines)
        {
            var color = FigureStyle.SeriesColor(colorBySeries ? line.Series : line.Metric);
            var offset = (line.Series - (series.Count - 1) / 2.0) * dodge;
            var xs = line.Points.Select(p => Plotted(p.X) + offset).ToArray();
            var ys = line.Points.Select(p => PlottedY(p.Mean * rescale)).ToArray();
            var scatter = plot.Add.Scatter(xs, ys, color);
            scatter.LineWidth = 2.5f;
            scatter.MarkerSize = 9;
            scatter.MarkerShape = FigureStyle.Shape(colorBySeries ? line.Metric : 0);
            scatter.LinePattern = colorBySeries ? FigureStyle.Pattern(line.Metric) : LinePattern.Solid;
            scatter.LegendText = lines.Count > 1 ? line.Label : "";
            var errors = new ScottPlot.Plottables.ErrorBar(
                xs, ys, null, null,
                line.Points.Select(p => PlottedY(p.High * rescale) - PlottedY(p.Mean * rescale)).ToArray(),
                // A log axis cannot reach an interval bound at or below zero: the bar stops at the mean.
                line.Points.Select(p => options.LogY && p.Low <= 0 ? 0 : PlottedY(p.Mean * rescale) - PlottedY(p.Low * rescale)).ToArray())
            {
                Color = color,
                LineWidth = 1.5f,
                CapSize = 6,
            };
            plot.Add.Plottable(errors);
        }
        if (options.LogX)
        {
            var all = lines.SelectMany(l => l.Points).Select(p => p.X).ToArray();
            FigureStyle.LogTicks(plot.Axes.Bottom, all.Min(), all.Max());
        }
        if (options.LogY)
        {
            var all = lines.SelectMany(l => l.Points).SelectMany(p => new[] { p.Mean, p.High, p.Low > 0 ? p.Low : p.Mean }).Select(y => y * rescale).ToArray();
            FigureStyle.LogTicks(plot.Axes.Left, all.Min(), all.Max());
        }
        var name = CommonName(metrics);
        var scale = options.LogY ? ", log scale" : "";
        var yLabel = options.YLabel ?? (shownUnit.Length == 0 ? name + (options.LogY ? " (log scale)" : "") : $"{name} ({shownUnit}{scale})");
        var xLabel = options.XLabel ?? axis.Label(options.X, options.LogX);
        var title = options.Title ?? $"{table.Experiment(rows)}: {name} vs {options.X}{CdfFigure.WhereSuffix(options.Where)}";
        FigureStyle.Label(plot, title, xLabel, yLabel);
        FigureStyle.Legend(plot, lines.Count);
        FigureFile.Save(plot, options.Output, options.Width, options.Height);
        return new PlotResult(options.Output, title, lines.Count > 1 ? lines.Select(l => l.Label).ToArray() : []);
    }

    private sealed record Line(string Label, int Metric, int Series, (double X, double Mean, double Low, double High)[] Points);

    /// <summary>
    /// One unit for all metrics on the y axis: time metrics in µs, ms and s are brought to the finest
    /// of them; metrics of different kinds (a time and a count) cannot share an axis.
    /// </summary>
    private static (string Unit, double[] Multipliers) CommonUnit(string file, MetricName[] metrics)
    {
        static double? Seconds(string unit) => unit switch { "µs" => 1e-6, "ms" => 1e-3, "s" => 1, _ => null };
        if (metrics.All(m => Seconds(m.Unit) is not null))
        {
            var finest = metrics.MinBy(m => Seconds(m.Unit)!.Value)!.Unit;
            return (finest, metrics.Select(m => Seconds(m.Unit)!.Value / Seconds(finest)!.Value).ToArray());
        }
        if (metrics.Any(m => m.Unit != metrics[0].Unit))
        {
            var described = string.Join(", ", metrics.Select(m => $"{m.Metric} ({(m.Unit.Length == 0 ? "a count" : m.Unit)})"));
            throw new PlotInputException($"{file}: --metric: {described} have different units and cannot share a y axis; plot them separately");
        }
        return (metrics[0].Unit, metrics.Select(_ => 1.0).ToArray());
    }

    /// <summary>"commit latency p50 / p99" for metrics that share their first words, else the names joined.</summary>
    internal static string CommonName(IReadOnlyList<MetricName> metrics)
    {
        if (metrics.Count == 1)
        {
            return metrics[0].Name;
        }
        var words = metrics.Select(m => m.Name.Split(' ')).ToArray();
        var common = 0;
        while (words.All(w => w.Length > common + 1 && w[common] == words[0][common]))
        {
            common++;
        }
        if (common == 0)
        {
            return string.Join(", ", metrics.Select(m => m.Name));
        }
        return string.Join(' ', words[0].Take(common)) + " " + string.Join(" / ", words.Select(w => string.Join(' ', w.Skip(common))));
    }

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }
        return -1;
    }
}
