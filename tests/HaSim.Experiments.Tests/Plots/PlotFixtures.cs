using System.Buffers.Binary;

namespace HaSim.Experiments.Tests.Plots;

/// <summary>
/// The fixture CSV files beside these tests (made-up numbers in the shape of the CSV contract, not
/// simulation results), and a scratch directory for the images the tests make.
/// </summary>
internal sealed class PlotFixtures : IDisposable
{
    public PlotFixtures()
    {
        Scratch = Path.Combine(Path.GetTempPath(), "hasim-plot-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Scratch);
    }

    /// <summary>tests/HaSim.Experiments.Tests/Plots/fixtures, found from the test binaries up to the repository root.</summary>
    public static string Folder { get; } = FindFolder();

    public static string LatencyCdf => Path.Combine(Folder, "latency_cdf.csv");

    public static string Stats => Path.Combine(Folder, "stats.csv");

    public static string Runs => Path.Combine(Folder, "runs.csv");

    public static string CrashRun => Path.Combine(Folder, "crash-run");

    public string Scratch { get; }

    public string Out(string name) => Path.Combine(Scratch, name);

    /// <summary>Writes a small file into the scratch directory and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = Out(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Asserts a PNG signature and returns the width and height from its IHDR chunk.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 24, $"{path} is too short for a PNG");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>The SVG's text, checked to be an SVG of the given size.</summary>
    public static string Svg(string path, int width, int height)
    {
        var xml = File.ReadAllText(path);
        Assert.StartsWith("<?xml", xml, StringComparison.Ordinal);
        Assert.Contains($"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{width}\" height=\"{height}\">", xml, StringComparison.Ordinal);
        return xml;
    }

    /// <summary>True when the SVG draws <paramref name="text"/> as one text element (Skia writes each on its own line).</summary>
    public static void AssertSvgText(string xml, string text)
    {
        var escaped = System.Security.SecurityElement.Escape(text);
        Assert.True(xml.Contains("\t" + escaped + "\n", StringComparison.Ordinal), $"the SVG has no text element '{text}'");
    }

    private static string FindFolder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "HaSim.sln")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        return Path.Combine(directory.FullName, "tests", "HaSim.Experiments.Tests", "Plots", "fixtures");
    }
}
