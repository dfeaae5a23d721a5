using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace HaSim.Experiments.Plots;

/// <summary>
/// A failover timeline of one run from timeline.csv and writes.csv (<c>hasim run --out DIR</c>): a
/// lane per node colored by role, a lane for the leader-key holder and one for faults (a row per
/// fault that overlaps another), fault windows shaded; below, on the same time axis, client writes
/// per second by outcome.
/// </summary>
public static class TimelineFigure
{
    public const string TimelineFile = "timeline.csv";
    public const string WritesFile = "writes.csv";

    /// <summary>More one-second bins than this are merged (averaged) so long runs stay readable and SVGs small.</summary>
    private const int MaxBins = 1500;

    private static readonly Color Primary = Color.FromHex("#2ca02c");
    private static readonly Color Replica = Color.FromHex("#9ecae1");
    private static readonly Color Down = Color.FromHex("#d62728");
    private static readonly Color OtherRole = Color.FromHex("#c7c7c7");
    private static readonly Color KeyHeld = Color.FromHex("#9467bd");
    private static readonly Color KeyNone = Color.FromHex("#ffffff");
    private static readonly Color Fault = Color.FromHex("#bdbdbd");
    private static readonly Color Acknowledged = Color.FromHex("#2ca02c");
    private static readonly Color Failed = Color.FromHex("#d62728");
    private static readonly Color Unknown = Color.FromHex("#ff7f0e");
    private static readonly Color Marker = Color.FromHex("#d62728");

    private const float SpanTextSize = 12;
    private const float LegendWidth = 190;

    private sealed record Span(int Line, string Kind, string Track, double From, double? To, string State, string Detail);

    private sealed record Lane(string Name, string Kind, List<Span> Spans);

    public static PlotResult Draw(TimelinePlotOptions options)
    {
        FigureFile.FormatOf(options.Output);
        FigureFile.CheckSize(options.Width, options.Height);
        var directory = RunDirectory(options.Input);
        var timeline = CsvTable.Read(Path.Combine(directory, TimelineFile));
        var writes = CsvTable.Read(Path.Combine(directory, WritesFile));
        var (model, seed) = ChooseRun(timeline, options.Seed);
        var spans = ReadSpans(timeline, model, seed);
        var bins = ReadWrites(writes, model, seed);

        var end = Math.Max(
            spans.Count == 0 ? 0 : spans.Max(s => Math.Max(s.From, s.To ?? s.From)),
            bins.Count == 0 ? 0 : bins[^1].Time + 1);
        if (end <= 0)
        {
            throw new PlotInputException($"{timeline.File}: no intervals and no writes for model {model}, seed {seed}; nothing to plot");
        }
        var start = Math.Min(0, spans.Count == 0 ? 0 : spans.Min(s => s.From));
        var lanes = Lanes(spans);

        // Left margin: the widest lane name or tick number, measured in the figure's font.
        var left = Math.Max(lanes.Count == 0 ? 0 : lanes.Max(l => TextWidth(l.Name, FigureStyle.TickLabelSize)), TextWidth("00000", FigureStyle.TickLabelSize)) + 60;
        var right = LegendWidth;
        var dataWidth = Math.Max(50, options.Width - left - right);

        lanes = StackOverlappingFaults(lanes, (end - start) / dataWidth, end);

        var title = options.Title ?? $"{model}, seed {seed}: roles, leader key and client writes";
        var top = TopPlot(lanes, spans, start, end, dataWidth, title);
        var bottom = WritesPlot(bins, spans, start, end);
        if (options.Markers.Count > 0)
        {
            // Room above the first lane for the markers' labels.
            var labelY = lanes.Count - 0.05;
            top.Axes.SetLimitsY(-0.6, labelY);
            Mark(top, options.Markers, labelY, labelled: true);
        }
        Mark(bottom, options.Markers, 0, labelled: false);

        var lanesShare = Math.Clamp(0.2 + 0.06 * lanes.Count, 0.35, 0.6);
        var multiplot = new Multiplot();
        multiplot.AddPlot(top);
        multiplot.AddPlot(bottom);
        var grid = new ScottPlot.MultiplotLayouts.CustomGrid();
        const int rowCount = 100;
        var topRows = (int)Math.Round(lanesShare * rowCount);
        grid.Set(top, new GridCell(0, 0, rowCount, 1, topRows, 1));
        grid.Set(bottom, new GridCell(topRows, 0, rowCount, 1, rowCount - topRows, 1));
        multiplot.Layout = grid;
        var titleHeight = TextHeight(FigureStyle.TitleSize) + 30;
        top.Layout.Fixed(new PixelPadding(left, right, 12, titleHeight));
        bottom.Layout.Fixed(new PixelPadding(left, right, TextHeight(FigureStyle.TickLabelSize) + TextHeight(FigureStyle.AxisLabelSize) + 30, 12));
        FigureFile.Save(multiplot, options.Output, options.Width, options.Height);

        var legend = top.Legend.GetItems().Concat(bottom.Legend.GetItems()).Select(i => i.LabelText).Where(t => t.Length > 0).ToArray();
        return new PlotResult(options.Output, title, legend);
    }

    private static string RunDirectory(string input)
    {
        if (Directory.Exists(input))
        {
            return input;
        }
        if (File.Exists(input) && Path.GetFileName(input) is TimelineFile or WritesFile)
        {
            return Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
        }
        throw new PlotInputException($"{input}: no such directory; expected the directory that 'hasim run --out DIR' wrote {TimelineFile} and {WritesFile} into");
    }

    private static (string Model, ulong Seed) ChooseRun(CsvTable timeline, ulong? wanted)
    {
        const string from = "hasim run --out";
        var model = timeline.RequireColumn("model", from);
        var seed = timeline.RequireColumn("seed", from);
        var runs = new List<(string Model, ulong Seed)>();
        foreach (var row in timeline.Rows)
        {
            var run = (row[model], Seed(timeline, row, seed));
            if (!runs.Contains(run))
            {
                runs.Add(run);
            }
        }
        if (runs.Count == 0)
        {
            throw new PlotInputException($"{timeline.File}: has no data rows");
        }
        var list = string.Join(", ", runs.Select(r => $"{r.Model} seed {r.Seed}"));
        if (wanted is { } w)
        {
            var matching = runs.Where(r => r.Seed == w).ToArray();
            return matching.Length switch
            {
                1 => matching[0],
                0 => throw new PlotInputException($"{timeline.File}: --seed {w}: no run with that seed; runs: {list}"),
                _ => throw new PlotInputException($"{timeline.File}: --seed {w}: several models ran with that seed ({list}); plot them from separate directories"),
            };
        }
        if (runs.Count > 1)
        {
            throw new PlotInputException($"{timeline.File}: holds {runs.Count} runs ({list}); choose one with --seed");
        }
        return runs[0];
    }

    private static ulong Seed(CsvTable csv, CsvRecord row, int column)
    {
        var text = row[column].Trim();
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
        {
            throw new PlotInputException(string.Create(CultureInfo.InvariantCulture, $"{csv.File}:{row.Line}: column 'seed': '{text}' is not a seed (a whole number)"));
        }
        return seed;
    }

    private static List<Span> ReadSpans(CsvTable csv, string model, ulong seed)
    {
        const string from = "hasim run --out";
        var modelColumn = csv.RequireColumn("model", from);
        var seedColumn = csv.RequireColumn("seed", from);
        var track = csv.RequireColumn("track", from);
        var kind = csv.RequireColumn("kind", from);
        var fromColumn = csv.RequireColumn("from_s", from);
        var to = csv.RequireColumn("to_s", from);
        var state = csv.RequireColumn("state", from);
        var detail = csv.Column("detail");
        var spans = new List<Span>();
        foreach (var row in csv.Rows)
        {
            if (row[modelColumn] != model || Seed(csv, row, seedColumn) != seed)
            {
                continue;
            }
            var k = row[kind].Trim();
            if (k is not ("role" or "leader_key" or "fault"))
            {
                throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{csv.File}:{row.Line}: column 'kind': '{k}'{PlotSpelling.Hint(k, ["role", "leader_key", "fault"])}; expected role, leader_key or fault"));
            }
            var f = csv.RequireNumber(row, fromColumn);
            var t = csv.Number(row, to);
            if (t < f)
            {
                throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{csv.File}:{row.Line}: to_s {t} is before from_s {f}; expected an interval [from_s, to_s)"));
            }
            spans.Add(new Span(row.Line, k, row[track].Trim(), f, t, row[state].Trim(), detail >= 0 ? row[detail].Trim() : ""));
        }
        return spans;
    }

    private static List<(double Time, double Acknowledged, double Failed, double Unknown)> ReadWrites(CsvTable csv, string model, ulong seed)
    {
        const string from = "hasim run --out";
        var modelColumn = csv.RequireColumn("model", from);
        var seedColumn = csv.RequireColumn("seed", from);
        var time = csv.RequireColumn("time_s", from);
        var acknowledged = csv.RequireColumn("acknowledged", from);
        var failed = csv.RequireColumn("failed", from);
        var unknown = csv.RequireColumn("unknown", from);
        return csv.Rows
            .Where(r => r[modelColumn] == model && Seed(csv, r, seedColumn) == seed)
            .Select(r => (csv.RequireNumber(r, time), csv.Number(r, acknowledged) ?? 0, csv.Number(r, failed) ?? 0, csv.Number(r, unknown) ?? 0))
            .OrderBy(b => b.Item1)
            .ToList();
    }

    /// <summary>Node lanes in order of first appearance, then the leader key, then faults.</summary>
    private static List<Lane> Lanes(List<Span> spans)
    {
        var lanes = new List<Lane>();
        foreach (var kind in new[] { "role", "leader_key", "fault" })
        {
            foreach (var span in spans.Where(s => s.Kind == kind))
            {
                var name = span.Track.Length > 0 ? span.Track : kind.Replace('_', ' ');
                var lane = lanes.Find(l => l.Name == name && l.Kind == kind);
                if (lane is null)
                {
                    lanes.Add(lane = new Lane(name, kind, []));
                }
                lane.Spans.Add(span);
            }
        }
        return lanes;
    }

    /// <summary>
    /// Splits each fault lane into as many rows as it takes for no two faults in a row to overlap,
    /// their labels included (a fault's label starts at the fault and may run past its end): in one
    /// row, a partition and a crash that overlap drew their labels over each other, and two faults
    /// with the same span hid one another. The rows after the first have no name of their own.
    /// </summary>
    private static List<Lane> StackOverlappingFaults(List<Lane> lanes, double secondsPerPixel, double end)
    {
        var stacked = new List<Lane>();
        foreach (var lane in lanes)
        {
            if (lane.Kind != "fault")
            {
                stacked.Add(lane);
                continue;
            }
            var spans = lane.Spans.OrderBy(s => s.From).ThenBy(s => s.Line).ToList();
            var extents = spans.Select(s => (s.From, Math.Max(s.To ?? end, s.From + (TextWidth(Style(s).Text, SpanTextSize) + 12) * secondsPerPixel))).ToList();
            var rows = RowsWithoutOverlap(extents);
            for (var row = 0; row <= (rows.Count == 0 ? -1 : rows.Max()); row++)
            {
                stacked.Add(new Lane(row == 0 ? lane.Name : "", lane.Kind, [.. spans.Where((_, i) => rows[i] == row)]));
            }
        }
        return stacked;
    }

    /// <summary>A row for each extent [From, To), given in order of From (see <see cref="IntervalRows"/>).</summary>
    internal static List<int> RowsWithoutOverlap(IReadOnlyList<(double From, double To)> extents)
    {
        var freeFrom = new List<double>();
        return [.. extents.Select(e => IntervalRows.Take(freeFrom, e.From, e.To))];
    }

    private static Plot TopPlot(List<Lane> lanes, List<Span> spans, double start, double end, float dataWidth, string title)
    {
        var plot = FigureStyle.NewPlot();
        ShadeFaults(plot, spans, end);
        var legendShown = new HashSet<string>(StringComparer.Ordinal);
        var secondsPerPixel = (end - start) / dataWidth;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < lanes.Count; i++)
        {
            var lane = lanes[i];
            double y = lanes.Count - 1 - i;
            ticks.AddMajor(y, lane.Name);
            foreach (var span in lane.Spans)
            {
                var to = span.To ?? end;
                var (fill, legendText, text) = Style(span);
                var rect = plot.Add.Rectangle(span.From, Math.Max(to, span.From + secondsPerPixel), y - 0.34, y + 0.34);
                rect.FillColor = fill;
                rect.LineColor = fill == KeyNone ? Colors.Gray : Colors.White;
                rect.LineWidth = 1;
                if (legendShown.Add(legendText))
                {
                    rect.LegendText = legendText;
                }
                if (text.Length == 0)
                {
                    continue;
                }
                var textColor = fill == Replica || fill == KeyNone || fill == OtherRole || fill == Fault ? Colors.Black : Colors.White;
                if (span.Kind == "fault")
                {
                    // Fault descriptions start at the fault and may run on to the right.
                    var label = plot.Add.Text(text, span.From, y);
                    label.Alignment = Alignment.MiddleLeft;
                    label.OffsetX = 4;
                    label.LabelFontSize = SpanTextSize;
                    label.LabelFontColor = textColor;
                }
                else if (TextWidth(text, SpanTextSize) + 8 < (to - span.From) / secondsPerPixel)
                {
                    var label = plot.Add.Text(text, (span.From + to) / 2, y);
                    label.Alignment = Alignment.MiddleCenter;
                    label.LabelFontSize = SpanTextSize;
                    label.LabelFontColor = textColor;
                }
            }
        }
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimits(start, end, -0.6, lanes.Count - 0.4);
        plot.Grid.YAxisStyle.IsVisible = false;
        plot.Axes.Bottom.TickLabelStyle.IsVisible = false;
        FigureStyle.Label(plot, title, "", "");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Fill color, legend entry and the text written in the span.</summary>
    private static (Color Fill, string Legend, string Text) Style(Span span) => span.Kind switch
    {
        "role" => span.State switch
        {
            "primary" => (Primary, "primary", span.Detail),
            "replica" => (Replica, "replica", span.Detail),
            "down" => (Down, "down", ""),
            _ => (OtherRole, span.State, span.Detail.Length > 0 ? span.Detail : span.State),
        },
        "leader_key" => span.State is "none" or ""
            ? (KeyNone, "no leader key", "none")
            : (KeyHeld, "leader key held", span.State),
        _ => (Fault, "fault", span.State),
    };

    /// <summary>A dashed line per marker; in the lanes plot with its label at the top, left of the line.</summary>
    private static void Mark(Plot plot, IReadOnlyList<TimelineMarker> markers, double labelY, bool labelled)
    {
        var shown = false;
        foreach (var marker in markers.OrderBy(m => m.Seconds))
        {
            var line = plot.Add.VerticalLine(marker.Seconds, 2.5f, Marker, LinePattern.Dashed);
            if (labelled && !shown)
            {
                line.LegendText = "violation";
                shown = true;
            }
            else
            {
                line.ExcludeFromLegend = true;
            }
            if (labelled)
            {
                var label = plot.Add.Text(marker.Label, marker.Seconds, labelY);
                label.Alignment = Alignment.UpperRight;
                label.OffsetX = -4;
                label.OffsetY = 3;
                label.LabelFontSize = SpanTextSize;
                label.LabelFontColor = Marker;
                label.LabelBold = true;
                label.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
            }
        }
    }

    private static void ShadeFaults(Plot plot, List<Span> spans, double end)
    {
        foreach (var fault in spans.Where(s => s.Kind == "fault"))
        {
            var to = fault.To ?? end;
            if (to > fault.From)
            {
                var shade = plot.Add.HorizontalSpan(fault.From, to, Fault.WithAlpha(0.25));
                shade.LineWidth = 0;
            }
            else
            {
                var line = plot.Add.VerticalLine(fault.From, 1.5f, Fault, LinePattern.Dashed);
                line.ExcludeFromLegend = true;
            }
        }
    }

    private static Plot WritesPlot(List<(double Time, double Acknowledged, double Failed, double Unknown)> bins, List<Span> spans, double start, double end)
    {
        var plot = FigureStyle.NewPlot();
        ShadeFaults(plot, spans, end);
        var merged = Merge(bins);
        var width = merged.Count > 0 ? merged[0].Width : 1;
        var series = new (string Name, Color Color, Func<(double Time, double Width, double Acknowledged, double Failed, double Unknown), double> Value)[]
        {
            ("acknowledged", Acknowledged, b => b.Acknowledged),
            ("failed", Failed, b => b.Failed),
            ("unknown", Unknown, b => b.Unknown),
        };
        foreach (var (name, color, value) in series)
        {
            // A step per bin: the value holds from the bin's start to its end.
            var xs = merged.Select(b => b.Time).Append(bins.Count > 0 ? bins[^1].Time + 1 : start).ToArray();
            var ys = merged.Select(value).Append(merged.Count > 0 ? value(merged[^1]) : 0).ToArray();
            var line = plot.Add.ScatterLine(xs, ys, color);
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LineWidth = 2;
            line.LegendText = name;
            if (name == "unknown")
            {
                // Writes of unknown outcome are few (those in flight at a crash) but are what may be
                // lost: mark every bin that has any, or they vanish against thousands per second.
                var marked = merged.Where(b => value(b) > 0).ToArray();
                var markers = plot.Add.Markers(marked.Select(b => b.Time + b.Width / 2).ToArray(), marked.Select(value).ToArray(), MarkerShape.FilledTriangleUp, 10, color);
                markers.LegendText = "";
            }
        }
        var top = merged.Count == 0 ? 1 : merged.Max(b => Math.Max(b.Acknowledged, Math.Max(b.Failed, b.Unknown)));
        plot.Axes.SetLimits(start, end, 0, Math.Max(1, top) * 1.08);
        var perSecond = width > 1 ? string.Create(CultureInfo.InvariantCulture, $" (mean over {width:0.#} s)") : "";
        FigureStyle.Label(plot, null, "time (s)", "client writes per second" + perSecond);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Merges consecutive bins into at most <see cref="MaxBins"/>, averaging the per-second counts.</summary>
    private static List<(double Time, double Width, double Acknowledged, double Failed, double Unknown)> Merge(
        List<(double Time, double Acknowledged, double Failed, double Unknown)> bins)
    {
        var k = Math.Max(1, (int)Math.Ceiling(bins.Count / (double)MaxBins));
        var merged = new List<(double, double, double, double, double)>();
        for (var i = 0; i < bins.Count; i += k)
        {
            var group = bins.Skip(i).Take(k).ToArray();
            // the last group may be short: average over the bins it has
            var n = group.Length;
            merged.Add((group[0].Time, k, group.Sum(b => b.Acknowledged) / n, group.Sum(b => b.Failed) / n, group.Sum(b => b.Unknown) / n));
        }
        return merged;
    }

    private static float TextWidth(string text, float size)
    {
        // FigureStyle.Font, not Fonts.Default: the first figure of a process measures its margins
        // before any plot exists, and only FigureStyle's static constructor installs the font.
        using var font = new SKFont(Fonts.GetTypeface(FigureStyle.Font, false, false), size);
        return font.MeasureText(text);
    }

    private static float TextHeight(float size) => size * 1.25f;
}
