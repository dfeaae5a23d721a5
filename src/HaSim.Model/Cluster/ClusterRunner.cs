using HaSim.Kernel;
using HaSim.Model.Spec;

namespace HaSim.Model.Cluster;

/// <summary>Runs cluster models: the public entry to the simulation.</summary>
public static class ClusterRunner
{
    /// <summary>
    /// Runs <paramref name="spec"/> once with <paramref name="seed"/>. The lag time series goes to
    /// <paramref name="lagSink"/> as it is produced; every traced state change to <paramref name="traceSink"/>;
    /// <paramref name="progress"/> hears (simulated now, simulated end) a hundred times along the way.
    /// With automatic failover, <paramref name="history"/> receives the run's history for the checkers
    /// and <paramref name="agentLog"/> what the agents decided. No sink changes the run.
    /// </summary>
    public static ClusterRunReport Run(ClusterSpec spec, ulong seed, ILagSampleSink? lagSink = null, ITraceSink? traceSink = null,
        Action<Primitives.Instant, Primitives.Instant>? progress = null, IRunHistorySink? history = null, IAgentLogSink? agentLog = null) =>
        new ClusterSimulation(spec, seed, lagSink, traceSink, history, agentLog).Run(progress);
}
