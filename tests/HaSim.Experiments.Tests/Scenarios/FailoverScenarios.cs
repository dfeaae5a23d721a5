using HaSim.Experiments.Loading;
using HaSim.Experiments.Runs;
using HaSim.Model.Spec;

namespace HaSim.Experiments.Tests.Scenarios;

/// <summary>Loads the scenario models in models/ and runs them over fixed seed sets, both cores busy.</summary>
internal static class FailoverScenarios
{
    public static ClusterSpec Load(string name) =>
        ModelLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "models", name + ".yaml"));

    /// <summary>Runs seeds 1..<paramref name="seeds"/>; results in seed order whatever the thread schedule.</summary>
    public static ModelRunResult[] Run(ClusterSpec spec, int seeds)
    {
        var results = new ModelRunResult[seeds];
        Parallel.For(0, seeds, i => results[i] = ModelRun.Execute(spec, (ulong)(i + 1)));
        return results;
    }
}
