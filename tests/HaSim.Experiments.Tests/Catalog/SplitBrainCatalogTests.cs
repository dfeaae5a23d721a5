using HaSim.Experiments.Exploration;
using HaSim.Experiments.Loading;
using HaSim.Experiments.Runs;
using HaSim.Primitives;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Tests.Catalog;

/// <summary>
/// experiments/split-brain/: every entry's buggy configuration violates what catalog.yaml says
/// with seed 1; its fixed configuration, and the configuration it explores if another, hold
/// every invariant with seed 1; the explored one also over a few explore seeds (check.sh runs the
/// 1,000 the catalog's README quotes).
/// </summary>
public class SplitBrainCatalogTests
{
    private const int ExploreSeeds = 6;

    public static TheoryData<string, string[], string> Entries()
    {
        var data = new TheoryData<string, string[], string>();
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(CatalogDirectory, "catalog.yaml")))
        {
            stream.Load(reader);
        }
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        foreach (var entry in ((YamlSequenceNode)root.Children[new YamlScalarNode("entries")]).Cast<YamlMappingNode>())
        {
            var violates = ((YamlSequenceNode)entry.Children[new YamlScalarNode("buggy_violates")]).Select(n => ((YamlScalarNode)n).Value!).ToArray();
            var explored = entry.Children.TryGetValue(new YamlScalarNode("explore"), out var file) ? ((YamlScalarNode)file).Value! : "fixed.yaml";
            data.Add(((YamlScalarNode)entry.Children[new YamlScalarNode("dir")]).Value!, violates, explored);
        }
        return data;
    }

    [Fact]
    public void TheIndexListsEveryEntryDirectory()
    {
        var listed = Entries().Select(row => (string)row[0]).Order().ToArray();
        var present = Directory.GetDirectories(CatalogDirectory).Select(Path.GetFileName).Where(name => name != "results").Order().ToArray();
        Assert.Equal(present, listed);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void TheBuggyConfigurationViolatesWhatTheCatalogSays(string entry, string[] violates, string explored)
    {
        Assert.True(File.Exists(Path.Combine(CatalogDirectory, entry, explored)), explored);
        var run = ModelRun.Execute(ModelLoader.LoadFile(Path.Combine(CatalogDirectory, entry, "buggy.yaml")), 1);
        Assert.Equal(violates.Order(), run.Checks!.Violations.Order());
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void TheFixedConfigurationHoldsEveryInvariant(string entry, string[] violates, string explored)
    {
        Assert.NotEmpty(violates);
        foreach (var file in new[] { "fixed.yaml", explored }.Distinct())
        {
            var run = ModelRun.Execute(ModelLoader.LoadFile(Path.Combine(CatalogDirectory, entry, file)), 1);
            Assert.True(run.Checks!.AllHold, $"{file}: " + string.Join("; ", run.Checks.SummaryLines));
        }
        var path = Path.Combine(CatalogDirectory, entry, explored);

        var seeds = Enumerable.Range(1, ExploreSeeds).Select(i => (ulong)i).ToArray();
        var results = Explorer.Run(path, seeds, Duration.FromSeconds(300), jobs: 1);
        Assert.All(results, seed => Assert.True(seed.Violations.Count == 0, $"seed {seed.Seed}: {string.Join("; ", seed.Violations)}"));
    }

    private static string CatalogDirectory
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "HaSim.sln")))
            {
                directory = directory.Parent;
            }
            return Path.Combine(directory!.FullName, "experiments", "split-brain");
        }
    }
}
