using HaSim.Experiments.Loading;
using HaSim.Experiments.Sweeps;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Tests.Sweeps;

public class ExperimentLoaderTests
{
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "models");

    private static Experiment Load(string yaml) => ExperimentLoader.LoadText(yaml, "experiments/x.yaml", Models);

    private static ModelLoadException Fails(string yaml) => Assert.Throws<ModelLoadException>(() => Load(yaml));

    [Fact]
    public void TheGridIsTheProductOfItsAxesFirstAxisSlowest()
    {
        var experiment = Load("""
            name: demo
            model: lesson.yaml
            seeds: 2
            set: { duration: 5s }
            grid:
              design:
                async: { replication.synchronous_standby_names: null }
                first1: { replication.synchronous_standby_names: 'FIRST 1 (pg2)' }
              network.cross_zone: [250us, 1ms, 'lognormal(median=350us, p99=1.2ms)']
            """);
        Assert.Equal("demo", experiment.Name);
        Assert.Equal(["design", "network.cross_zone"], experiment.Parameters);
        Assert.Equal(6, experiment.Configurations.Count);
        Assert.Equal(["async", "250us"], experiment.Configurations[0].Values);
        Assert.Equal(["async", "1ms"], experiment.Configurations[1].Values);
        Assert.Equal(["first1", "lognormal(median=350us, p99=1.2ms)"], experiment.Configurations[5].Values);
        Assert.Equal([1UL, 2UL], experiment.Seeds);
        Assert.Equal(12, experiment.Runs.Count);
        Assert.Equal(new RunKey(0, 2), experiment.Runs[1]);

        var async = experiment.Configurations[0].Spec;
        Assert.Null(async.Replication.SynchronousStandbyNames);
        Assert.Equal(Duration.Parse("5s"), async.Duration);
        Assert.Equal("const(250us)", async.Network.CrossZone.ToString());
        var first1 = experiment.Configurations[5].Spec;
        Assert.Equal("FIRST 1 (pg2)", first1.Replication.SynchronousStandbyNames!.ToString());
        Assert.Equal("design=first1, network.cross_zone=1ms", experiment.Configurations[4].Label(experiment.Parameters));
    }

    [Fact]
    public void PathsReachListItemsByNameOrPositionAndCreateMissingSections()
    {
        var experiment = Load("""
            model: lesson.yaml
            seeds: [5, 9]
            grid:
              nodes[pg3].zone: [use1-az1]
              nodes[1].role: [standby]
              failover.ttl: [20s, 40s]
            """);
        var spec = experiment.Configurations[1].Spec;
        Assert.Equal("use1-az1", spec.Zones[spec.Nodes[2].Zone.Value].Name);
        Assert.Equal(Duration.Parse("40s"), spec.Failover!.Settings.Ttl);
        Assert.Equal([5UL, 9UL], experiment.Seeds);
    }

    [Fact]
    public void TheSamePlanHasTheSameHashAndAnotherOneAnother()
    {
        const string Text = "model: lesson.yaml\nseeds: 2\ngrid:\n  workload.rate: [100, 200]\n";
        Assert.Equal(Load(Text).PlanHash, Load(Text).PlanHash);
        Assert.NotEqual(Load(Text).PlanHash, Load(Text.Replace("seeds: 2", "seeds: 3", StringComparison.Ordinal)).PlanHash);
        Assert.NotEqual(Load(Text).PlanHash, Load(Text.Replace("200]", "300]", StringComparison.Ordinal)).PlanHash);
    }

    [Theory]
    [InlineData("model: lesson.yaml\nseeds: 2\ngrid:\n  network.cross_zone: [250us, 5xs]\n", 4, 31, "configuration network.cross_zone=5xs: the model does not load: network.cross_zone:")]
    [InlineData("model: lesson.yaml\nseeds: 2\ngrid:\n  network..cross_zone: [1ms]\n", 4, 3, "'network..cross_zone' is not a model path")]
    [InlineData("model: lesson.yaml\nseeds: 2\ngrid:\n  nodes[pg9].zone: [use1-az1]\n", 4, 3, "no item named 'pg9'")]
    [InlineData("model: lesson.yaml\nseeds: 0\ngrid:\n  workload.rate: [1]\n", 2, 8, "seeds")]
    [InlineData("model: lesson.yaml\nseeds: 2\ngrid:\n  workload.rate: [1, 1]\n", 4, 18, "listed twice")]
    [InlineData("model: no-such.yaml\nseeds: 2\ngrid:\n  workload.rate: [1]\n", 1, 8, "cannot read the base model")]
    [InlineData("model: lesson.yaml\nseeds: 2\ngrid: {}\n", 3, 7, "at least one axis")]
    [InlineData("model: lesson.yaml\nseed: 2\ngrid:\n  workload.rate: [1]\n", 2, 1, "unknown key 'seed'")]
    public void MistakesNameTheExperimentFileLineAndColumn(string yaml, int line, int column, string fragment)
    {
        var error = Fails(yaml);
        Assert.Equal("experiments/x.yaml", error.File);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fragment, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AValueCanRemoveAKeyOrReplaceAWholeSection()
    {
        var experiment = Load("""
            model: lesson.yaml
            seeds: 1
            grid:
              design:
                local:
                  replication: { synchronous_commit: local }
            """);
        var replication = experiment.Configurations[0].Spec.Replication;
        Assert.Equal(SynchronousCommit.Local, replication.SynchronousCommit);
        Assert.Null(replication.SynchronousStandbyNames);
    }
}
