using HaSim.Experiments.Sweeps;

namespace HaSim.Cli.Tests;

/// <summary>Every experiment in experiments/ runs with one command, at a small size here, and writes its outputs and figures.</summary>
public class ExperimentsTests
{
    public static TheoryData<string> Experiments() =>
        [.. Directory.GetDirectories(Path.Combine(RunCommandTests.RepositoryRoot(), "experiments"))
            .Where(d => File.Exists(Path.Combine(d, "experiment.yaml")))
            .Select(d => Path.GetFileName(d)!)
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Experiments))]
    public void EachExperimentRunsAtASmallSizeWithItsPlots(string name)
    {
        var file = Path.Combine(RunCommandTests.RepositoryRoot(), "experiments", name, "experiment.yaml");
        var directory = Path.Combine(Path.GetTempPath(), $"hasim-experiment-{name}-{Guid.NewGuid():N}");
        try
        {
            var output = CliProcess.Run("sweep", file, "--seeds", "1", "--out", directory);
            Assert.True(output.ExitCode == 0, output.StdErr);
            var experiment = ExperimentLoader.LoadFile(file, seeds: 1);
            Assert.Equal(1 + experiment.Configurations.Count, File.ReadAllLines(Path.Combine(directory, "runs.csv")).Length);
            Assert.True(File.ReadAllLines(Path.Combine(directory, "stats.csv")).Length > experiment.Configurations.Count);
            Assert.NotEmpty(experiment.Plots);
            foreach (var plot in experiment.Plots)
            {
                var image = File.ReadAllBytes(Path.Combine(directory, "plots", plot.File));
                Assert.True(image.Length > 10_000, $"{plot.File} is only {image.Length} bytes");
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image[..4]);
            }
            // The README embeds every figure the experiment draws.
            var readme = File.ReadAllText(Path.Combine(RunCommandTests.RepositoryRoot(), "experiments", name, "README.md"));
            Assert.All(experiment.Plots, plot => Assert.Contains($"(plots/{plot.File})", readme, StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
