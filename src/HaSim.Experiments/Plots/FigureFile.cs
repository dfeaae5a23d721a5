using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;
using SkiaSharp;

namespace HaSim.Experiments.Plots;

public enum FigureFormat
{
    Png,
    Svg,
}

/// <summary>Writes figures as PNG or SVG, chosen by the output file's extension.</summary>
public static partial class FigureFile
{
    public const int MinSize = 200;
    public const int MaxSize = 10000;

    /// <summary>The format an output path asks for; anything but .png and .svg is an error.</summary>
    public static FigureFormat FormatOf(string path)
    {
        var extension = Path.GetExtension(path);
        if (extension.Equals(".png", StringComparison.OrdinalIgnoreCase))
        {
            return FigureFormat.Png;
        }
        if (extension.Equals(".svg", StringComparison.OrdinalIgnoreCase))
        {
            return FigureFormat.Svg;
        }
        var found = extension.Length == 0 ? "no extension" : $"the extension '{extension}'";
        throw new PlotInputException($"{path}: {found}; expected an output file ending in .png or .svg");
    }

    /// <summary>Checks a figure size in pixels.</summary>
    public static void CheckSize(int width, int height)
    {
        Check("--width", width);
        Check("--height", height);

        static void Check(string option, int value)
        {
            if (value is < MinSize or > MaxSize)
            {
                throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{option}: {value} pixels is out of range; expected {MinSize} to {MaxSize}"));
            }
        }
    }

    public static void Save(Plot plot, string path, int width, int height)
    {
        var format = FormatOf(path);
        Write(path, format == FigureFormat.Png
            ? plot.GetImageBytes(width, height, ImageFormat.Png)
            : System.Text.Encoding.UTF8.GetBytes(Renumber(plot.GetSvgXml(width, height))));
    }

    public static void Save(Multiplot multiplot, string path, int width, int height)
    {
        var format = FormatOf(path);
        if (format == FigureFormat.Png)
        {
            using var image = multiplot.Render(width, height);
            Write(path, image.GetImageBytes(ImageFormat.Png, 100));
            return;
        }
        using var stream = new MemoryStream();
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
        {
            // Each subplot clears its canvas before rendering unless told not to; on one SVG canvas
            // that would erase the subplots drawn before it.
            foreach (var p in multiplot.GetPlots())
            {
                p.RenderManager.ClearCanvasBeforeEachRender = false;
            }
            multiplot.Render(canvas, new PixelRect(0, width, height, 0));
        }
        // The multiplot clears the canvas first, which SVG records as an unfilled (so black) rectangle
        // over the whole figure; the subplots cover it, but not in every viewer. Make it white.
        var xml = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var clear = string.Create(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\"/>");
        var at = xml.IndexOf(clear, StringComparison.Ordinal);
        if (at >= 0)
        {
            xml = string.Concat(xml.AsSpan(0, at), clear.Replace("<rect ", "<rect fill=\"white\" ", StringComparison.Ordinal), xml.AsSpan(at + clear.Length));
        }
        Write(path, System.Text.Encoding.UTF8.GetBytes(Renumber(xml)));
    }

    /// <summary>
    /// Skia numbers SVG clip paths from a counter that lives as long as the process, so the same
    /// figure drawn twice gets different ids. Renumbered in order of appearance, the file depends
    /// on the figure alone.
    /// </summary>
    internal static string Renumber(string xml)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        return ClipId().Replace(xml, match =>
        {
            var id = match.Groups[2].Value;
            if (!ids.TryGetValue(id, out var renumbered))
            {
                renumbered = string.Create(CultureInfo.InvariantCulture, $"cl_{ids.Count + 1}");
                ids[id] = renumbered;
            }
            return match.Groups[1].Value + renumbered + match.Groups[3].Value;
        });
    }

    [GeneratedRegex("(id=\"|url\\(#)(cl_[0-9a-f]+)(\"|\\))")]
    private static partial Regex ClipId();

    private static void Write(string path, byte[] bytes)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
            File.WriteAllBytes(path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PlotInputException($"{path}: cannot be written: {e.Message}");
        }
    }
}
