using BenchmarkDotNet.Attributes;
using HaSim.Experiments.Exploration;
using HaSim.Experiments.Loading;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Benchmarks;

/// <summary>
/// What one seed of <c>hasim explore</c> costs on one core, for the yardstick: three
/// nodes, 10 simulated minutes (a 487.5 s fault phase between the 10 s start and the healed
/// phase), 200 commits per second. One operation is one seed: its swarm draw, its repro model,
/// the run and every checker, as the explore command does it, averaged over seeds 1 to 4 (a
/// seed's cost depends on the faults it draws). Seeds per minute on two cores is at best
/// 2 x 60 s / the mean.
/// </summary>
[MemoryDiagnoser]
public class ExploreBenchmarks
{
    private const int Seeds = 4;
    private static readonly Duration FaultPhase = Duration.Parse("487.5s");
    private string _path = "";
    private string _text = "";
    private ClusterSpec _spec = null!;

    [GlobalSetup]
    public void Load()
    {
        _path = Path.Combine(AppContext.BaseDirectory, "models", "failover-crash-sync.yaml");
        _text = File.ReadAllText(_path);
        _spec = ModelLoader.LoadText(_text, _path);
    }

    [Benchmark(OperationsPerInvoke = Seeds, Description = "explore seed, 10 simulated minutes, failover-crash-sync")]
    public int ExploreSeeds()
    {
        var violations = 0;
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            violations += Explorer.Explore(_path, _text, _spec, seed, FaultPhase).Violations.Count;
        }
        return violations;
    }
}
