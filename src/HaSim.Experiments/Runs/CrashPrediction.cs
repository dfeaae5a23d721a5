using System.Globalization;
using System.Text;
using HaSim.Experiments.Loading;
using HaSim.Failover;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Runs;

/// <summary>
/// What the simulator predicts for a real cluster's primary crash (<c>hasim predict</c>): the
/// agents' settings on a model of the same members on one machine's loopback (50 us links, one
/// etcd member per etcd host the agents use), the primary's PostgreSQL and agent killed (or its
/// machine crashed) once the agents have settled,
/// over many seeds (each seed draws the agents' loop phases, hence the leader key's age at the
/// crash). PostgreSQL's action timings are the ones measured on this project's machines with
/// PostgreSQL 15 (pg_ctl promote about 0.15 s, start about 2 s, pg_rewind about 1.7 s).
/// </summary>
public static class CrashPrediction
{
    /// <summary>The crash comes at this time since the start: every agent has run several cycles by then.</summary>
    public static readonly Duration CrashAt = Duration.FromSeconds(30);

    /// <summary>The model text for these settings (adjusted as the controller adjusts them) and member names; the first member is the primary that crashes.</summary>
    /// <param name="processesOnly">Kill PostgreSQL and the agent on a machine that stays up (as the end-to-end test does), rather than crash the machine.</param>
    public static string ModelText(FailoverSettings settings, IReadOnlyList<string> members, int etcdMembers, bool processesOnly = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members.Count, 2);
        var s = settings.Adjust().Settings;
        var zones = Enumerable.Range(1, members.Count).Select(i => "z" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var etcd = zones.Take(Math.Clamp(etcdMembers, 1, zones.Length));
        // Long enough for the key to expire (ttl), the race and promote, with margin.
        var duration = CrashAt + s.Ttl + s.LoopWait + 2 * s.RetryTimeout + Duration.FromSeconds(20);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            name: predict-crash
            duration: {{duration}}
            warmup: 0s
            regions:
              - name: local
                zones: [{{string.Join(", ", zones)}}]
            nodes:

            """);
        for (var i = 0; i < members.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {{ name: {Quote(members[i])}, zone: {zones[i]}, role: {(i == 0 ? "primary" : "standby")} }}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $$"""
            network:
              cross_zone: lognormal(median=50us, p99=200us)
            replication:
              synchronous_commit: on
            workload:
              rate: 20
              transaction_size: 200B
            failover:
              ttl: {{s.Ttl}}
              loop_wait: {{s.LoopWait}}
              retry_timeout: {{s.RetryTimeout}}
              maximum_lag_on_failover: {{s.MaximumLagOnFailover.ToString(CultureInfo.InvariantCulture)}}
              check_timeline: {{(s.CheckTimeline ? "true" : "false")}}
              primary_start_timeout: {{s.PrimaryStartTimeout}}
              synchronous_mode: {{(s.SynchronousMode == SynchronousMode.On ? s.SynchronousModeStrict ? "strict" : "on" : "off")}}
              synchronous_node_count: {{s.SynchronousNodeCount.ToString(CultureInfo.InvariantCulture)}}
              failsafe_mode: {{(s.FailsafeMode ? "true" : "false")}}
              watchdog: { mode: off }
              dcs:
                members: [{{string.Join(", ", etcd)}}]
              database:
                promote: 150ms
                fast_stop: 300ms
                immediate_stop: 100ms
                start: 2s
                rewind: 1700ms
            faults:
              - crash: { node: {{Quote(members[0])}}, scope: {{(processesOnly ? "processes" : "machine")}} }
                at: {{CrashAt}}

            """);
        return text.ToString();
    }

    private static string Quote(string name) => "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Runs seeds 1..<paramref name="seeds"/> in parallel; the results are in seed order whatever the schedule.</summary>
    public static CrashPredictionResult Run(string modelText, int seeds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seeds, 1);
        var spec = ModelLoader.LoadText(modelText, "predict");
        var controller = new Duration?[seeds];
        var client = new Duration[seeds];
        Parallel.For(0, seeds, i =>
        {
            var result = ModelRun.Execute(spec, (ulong)(i + 1));
            controller[i] = result.Checks!.ControllerRto.Longest;
            client[i] = result.Checks.ClientRto.Longest;
        });
        return new CrashPredictionResult(spec, controller, client);
    }
}

/// <summary>Per seed (seed i + 1 at index i): time from the crash to the promotion (null: none happened), and the clients' longest outage.</summary>
public sealed record CrashPredictionResult(ClusterSpec Spec, IReadOnlyList<Duration?> ControllerRto, IReadOnlyList<Duration> ClientRto)
{
    public int Failed => ControllerRto.Count(r => r is null);

    /// <summary>Order statistics of the promoted seeds' controller RTO, in seconds, ascending.</summary>
    public double[] ControllerSeconds => [.. ControllerRto.OfType<Duration>().Select(d => d.TotalSeconds).Order()];

    public double[] ClientSeconds => [.. ClientRto.Select(d => d.TotalSeconds).Order()];

    /// <summary>The fraction of predicted values at or below <paramref name="value"/> (where a measurement falls in the prediction).</summary>
    public static double Rank(double[] sorted, double value) =>
        sorted.Length == 0 ? double.NaN : sorted.Count(x => x <= value) / (double)sorted.Length;

    /// <summary>Nearest-rank quantile of a sorted sample.</summary>
    public static double Quantile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
