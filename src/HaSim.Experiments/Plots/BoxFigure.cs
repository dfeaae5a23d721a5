using System.Globalization;
using ScottPlot;

namespace HaSim.Experiments.Plots;

/// <summary>
/// The distribution across seeds of one metric from runs.csv: per configuration a box (quartiles,
/// median line, whiskers to the furthest value within 1.5 IQR) with every seed's value drawn as a dot.
/// </summary>
public static class BoxFigure
{
    public static PlotResult Draw(BoxPlotOptions options)
    {
        FigureFile.FormatOf(options.Output);
        FigureFile.CheckSize(options.Width, options.Height);
        var table = SweepTable.Read(options.Input, "seed");
        var csv = table.Csv;
        var metricColumn = MetricColumn(table, options.Metric);
        var xColumn = table.ParameterColumn(options.X, "--x");
        var rows = table.Select(options.Where);
        var metric = MetricNames.Describe(options.Metric);

        var seriesParameters = SeriesKeys.Resolve(table, rows, options.X, options.Series);
        var series = SeriesKeys.Group(table, rows, seriesParameters);
        var categories = SweepTable.Order(SweepTable.Distinct(rows, xColumn));

        // values[s][c]: the metric across seeds for series s at category c
        var values = series.Select(s => categories.Select(c => s.Rows
            .Where(r => r[xColumn] == c)
            .Select(r => csv.Number(r, metricColumn))
            .OfType<double>()
            .ToArray()).ToArray()).ToArray();
        var all = values.SelectMany(v => v).SelectMany(v => v).ToArray();
        if (all.Length == 0)
        {
            throw new PlotInputException($"{table.File}: column '{options.Metric}' is empty in every selected row; nothing to plot");
        }
        var (unit, rescale) = options.YLabel is null ? MetricNames.Readable(metric.Unit, all.Max(Math.Abs)) : (metric.Unit, 1.0);

        var plot = FigureStyle.NewPlot();
        var slot = 0.8 / series.Count;
        var legend = new List<string>();
        for (var s = 0; s < series.Count; s++)
        {
            var color = FigureStyle.SeriesColor(s);
            var boxes = new List<Box>();
            var dotsX = new List<double>();
            var dotsY = new List<double>();
            for (var c = 0; c < categories.Count; c++)
            {
                var v = values[s][c].Select(x => x * rescale).Order().ToArray();
                if (v.Length == 0)
                {
                    continue;
                }
                var position = c + (s - (series.Count - 1) / 2.0) * slot;
                var q1 = Quantile(v, 0.25);
                var q3 = Quantile(v, 0.75);
                var fence = 1.5 * (q3 - q1);
                boxes.Add(new Box
                {
                    Position = position,
                    Width = slot * 0.7,
                    BoxMin = q1,
                    BoxMax = q3,
                    BoxMiddle = Quantile(v, 0.5),
                    WhiskerMin = v.First(x => x >= q1 - fence),
                    WhiskerMax = v.Last(x => x <= q3 + fence),
                });
                for (var i = 0; i < v.Length; i++)
                {
                    // A fixed spread (golden-ratio sequence), so equal values stay visible and the picture never changes.
                    var jitter = ((i * 0.6180339887) % 1.0 - 0.5) * slot * 0.45;
                    dotsX.Add(position + jitter);
                    dotsY.Add(v[i]);
                }
            }
            var boxPlot = plot.Add.Boxes(boxes);
            boxPlot.FillColor = color.WithAlpha(0.3);
            boxPlot.LineColor = color;
            boxPlot.LineWidth = 2;
            boxPlot.LegendText = series.Count > 1 ? series[s].Label : "";
            legend.Add(series[s].Label);
            var dots = plot.Add.Markers(dotsX.ToArray(), dotsY.ToArray(), MarkerShape.FilledCircle, 6, color.WithAlpha(0.75));
            dots.LegendText = "";
        }

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var c = 0; c < categories.Count; c++)
        {
            ticks.AddMajor(c, Display(categories[c]));
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, categories.Count - 0.4);
        plot.Grid.XAxisStyle.IsVisible = false;

        var counts = values.SelectMany(v => v).Where(v => v.Length > 0).Select(v => v.Length).Distinct().ToArray();
        var perBox = counts.Length == 1 ? string.Create(CultureInfo.InvariantCulture, $", {counts[0]} seeds each") : "";
        var title = options.Title ?? $"{table.Experiment(rows)}: {metric.Name} by {options.X}{perBox}{CdfFigure.WhereSuffix(options.Where)}";
        var yLabel = options.YLabel ?? (unit.Length == 0 ? metric.Name : $"{metric.Name} ({unit})");
        FigureStyle.Label(plot, title, options.XLabel ?? options.X, yLabel);
        FigureStyle.Legend(plot, series.Count);
        FigureFile.Save(plot, options.Output, options.Width, options.Height);
        return new PlotResult(options.Output, title, series.Count > 1 ? legend : []);
    }

    /// <summary>The metric columns of runs.csv are those after <c>trace</c> (or <c>seed</c>); the text column <c>failure</c> is not one.</summary>
    private static int MetricColumn(SweepTable table, string metric)
    {
        var csv = table.Csv;
        var first = Math.Max(csv.Column("seed"), csv.Column("trace")) + 1;
        var metrics = csv.Header.Skip(first).Where(h => h != "failure").ToArray();
        var column = csv.Column(metric);
        if (column < first || metric == "failure")
        {
            throw new PlotInputException($"{table.File}: --metric: no metric '{metric}'{PlotSpelling.Hint(metric, metrics)}; metrics: {PlotSpelling.List(metrics)}");
        }
        return column;
    }

    /// <summary>A category label: the parameter's text, with <c>const(...)</c> unwrapped.</summary>
    private static string Display(string value)
    {
        var v = value.Trim();
        return v.StartsWith("const(", StringComparison.Ordinal) && v.EndsWith(')') ? v["const(".Length..^1] : v;
    }

    /// <summary>Linear interpolation between order statistics (type 7, as numpy and R's default) of sorted values.</summary>
    internal static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        var h = (sorted.Count - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
