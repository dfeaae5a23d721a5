using System.Globalization;
using ScottPlot;

namespace HaSim.Experiments.Plots;

/// <summary>The house style: one sans font, sizes readable at 1200x700, a color-blind-safe palette, log axes.</summary>
internal static class FigureStyle
{
    /// <summary>On the machine image; without a resolvable font ScottPlot silently draws no text at all.</summary>
    public const string FontName = "DejaVu Sans";

    public const float TitleSize = 22;
    public const float AxisLabelSize = 17;
    public const float TickLabelSize = 14;
    public const float LegendSize = 14;

    /// <summary>Tableau's ten colors (ScottPlot's Category10), in order.</summary>
    private static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
        Color.FromHex("#bcbd22"), Color.FromHex("#17becf"),
    ];

    private static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    private static readonly MarkerShape[] Shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenCircle, MarkerShape.OpenSquare];

    static FigureStyle()
    {
        // ScottPlot's process-wide default font (the built-in default resolves to a serif here). It is
        // set once, always to the same value, before any plot is made.
        if (Fonts.GetTypeface(FontName, bold: false, italic: false)?.FamilyName == FontName)
        {
            Fonts.Default = FontName;
        }
    }

    /// <summary>The font figures use; reading it (unlike the constants) runs the static constructor that installs it.</summary>
    public static string Font => Fonts.Default;

    public static Color SeriesColor(int index) => Palette[index % Palette.Length];

    public static LinePattern Pattern(int index) => Patterns[index % Patterns.Length];

    public static MarkerShape Shape(int index) => Shapes[index % Shapes.Length];

    public static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Font.Set(Fonts.Default);
        return plot;
    }

    /// <summary>Title, axis labels and font sizes; call after adding the plottables.</summary>
    public static void Label(Plot plot, string? title, string xLabel, string yLabel)
    {
        if (title is not null)
        {
            plot.Title(title, TitleSize);
        }
        plot.XLabel(xLabel, AxisLabelSize);
        plot.YLabel(yLabel, AxisLabelSize);
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickLabelSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickLabelSize;
        plot.Legend.FontSize = LegendSize;
        plot.Font.Set(Fonts.Default);
    }

    /// <summary>
    /// A legend when there is more than one entry: beside the data (never over it), or inside at
    /// <paramref name="inside"/>, a corner the plot leaves empty.
    /// </summary>
    public static void Legend(Plot plot, int entries, Alignment? inside = null)
    {
        if (entries > 1 && inside is { } corner)
        {
            plot.ShowLegend(corner);
        }
        else if (entries > 1)
        {
            plot.ShowLegend(Edge.Right);
        }
        else
        {
            plot.HideLegend();
        }
    }

    /// <summary>
    /// Log-10 ticks for an axis whose data were plotted as log10 of the values: major ticks at 1, 2
    /// and 5 times powers of ten (or 1..9 for a short range), labelled with the values, minor ticks between.
    /// </summary>
    public static void LogTicks(IAxis axis, double minValue, double maxValue)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var low = Math.Floor(Math.Log10(minValue));
        var high = Math.Ceiling(Math.Log10(maxValue));
        var decades = high - low;
        double[] majors = decades <= 1 ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : decades <= 4 ? [1, 2, 5] : [1];
        for (var e = low; e <= high; e++)
        {
            for (var m = 1; m <= 9; m++)
            {
                var value = m * Math.Pow(10, e);
                if (value < minValue / 1.0001 || value > maxValue * 1.0001)
                {
                    continue;
                }
                if (majors.Contains(m))
                {
                    ticks.AddMajor(Math.Log10(value), FormatNumber(value));
                }
                else
                {
                    ticks.AddMinor(Math.Log10(value));
                }
            }
        }
        axis.TickGenerator = ticks;
    }

    /// <summary>A tick or label number: few digits, no exponent for everyday magnitudes.</summary>
    public static string FormatNumber(double value)
    {
        var abs = Math.Abs(value);
        if (abs != 0 && (abs >= 1e7 || abs < 1e-4))
        {
            return value.ToString("0.##E+0", CultureInfo.InvariantCulture);
        }
        return value.ToString("0.####", CultureInfo.InvariantCulture);
    }

    /// <summary>Keeps at most <paramref name="max"/> points, evenly spaced, always the first and last.</summary>
    public static (double[] Xs, double[] Ys) Downsample(IReadOnlyList<double> xs, IReadOnlyList<double> ys, int max)
    {
        if (xs.Count <= max)
        {
            return (xs.ToArray(), ys.ToArray());
        }
        var keptX = new double[max];
        var keptY = new double[max];
        for (var i = 0; i < max; i++)
        {
            var source = (int)Math.Round((double)i * (xs.Count - 1) / (max - 1));
            keptX[i] = xs[source];
            keptY[i] = ys[source];
        }
        return (keptX, keptY);
    }
}
