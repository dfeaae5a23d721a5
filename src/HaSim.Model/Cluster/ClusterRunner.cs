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
    /// With <paramref name="measure"/> false the run keeps no statistics (its report's latencies,
    /// lags and counts are empty), for callers that judge only the history; the run itself, and its
    /// trace hash, are the same. A lag series needs measuring.
    /// </summary>
    public static ClusterRunReport Run(ClusterSpec spec, ulong seed, ILagSampleSink? lagSink = null, ITraceSink? traceSink = null,
        Action<Primitives.Instant, Primitives.Instant>? progress = null, IRunHistorySink? history = null, IAgentLogSink? agentLog = null,
        bool measure = true)
    {
        if (!measure && lagSink is not null)
        {
            throw new ArgumentException("a lag series needs a measured run", nameof(lagSink));
        }
        return new ClusterSimulation(spec, seed, lagSink, traceSink, history, agentLog, measure).Run(progress);
    }
}
