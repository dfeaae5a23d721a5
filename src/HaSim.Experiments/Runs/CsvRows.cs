using CsvHelper;

namespace HaSim.Experiments.Runs;

// CSV rows: snake_case columns with the unit in the name (DESIGN.md, Outputs). Every row carries
// the model and seed, so files from many runs concatenate into one tidy table.

/// <summary>summary.csv: one row per run.</summary>
[CsvRecord]
public sealed partial record RunSummaryRow
{
    [CsvColumn("model")] public required string Model { get; init; }
    [CsvColumn("seed")] public required ulong Seed { get; init; }
    [CsvColumn("trace")] public required string Trace { get; init; }
    [CsvColumn("measured_s")] public required double MeasuredSeconds { get; init; }
    [CsvColumn("warmup_s")] public required double WarmupSeconds { get; init; }
    [CsvColumn("commits")] public required long Commits { get; init; }
    [CsvColumn("throughput_per_s")] public required double ThroughputPerSecond { get; init; }
    [CsvColumn("commit_latency_mean_us")] public required double? CommitLatencyMeanMicros { get; init; }
    [CsvColumn("commit_latency_p50_us")] public required double? CommitLatencyP50Micros { get; init; }
    [CsvColumn("commit_latency_p90_us")] public required double? CommitLatencyP90Micros { get; init; }
    [CsvColumn("commit_latency_p99_us")] public required double? CommitLatencyP99Micros { get; init; }
    [CsvColumn("commit_latency_p999_us")] public required double? CommitLatencyP999Micros { get; init; }
    [CsvColumn("commit_latency_max_us")] public required double? CommitLatencyMaxMicros { get; init; }
    [CsvColumn("reads")] public required long Reads { get; init; }
    [CsvColumn("read_staleness_p50_ms")] public required double? ReadStalenessP50Millis { get; init; }
    [CsvColumn("read_staleness_p99_ms")] public required double? ReadStalenessP99Millis { get; init; }
    [CsvColumn("semisync_fallbacks")] public required long SemiSyncFallbacks { get; init; }
    [CsvColumn("semisync_async_s")] public required double SemiSyncAsyncSeconds { get; init; }
    [CsvColumn("events")] public required long Events { get; init; }
    [CsvColumn("failure")] public required string Failure { get; init; }
}

/// <summary>standbys.csv: one row per downstream node per run (pg_stat_replication at the end, plus measured lags).</summary>
[CsvRecord]
public sealed partial record StandbyRow
{
    [CsvColumn("model")] public required string Model { get; init; }
    [CsvColumn("seed")] public required ulong Seed { get; init; }
    [CsvColumn("standby")] public required string Standby { get; init; }
    [CsvColumn("role")] public required string Role { get; init; }
    [CsvColumn("zone")] public required string Zone { get; init; }
    [CsvColumn("sync_state")] public required string SyncState { get; init; }
    [CsvColumn("sent_lsn")] public required string SentLsn { get; init; }
    [CsvColumn("write_lsn")] public required string WriteLsn { get; init; }
    [CsvColumn("flush_lsn")] public required string FlushLsn { get; init; }
    [CsvColumn("replay_lsn")] public required string ReplayLsn { get; init; }
    [CsvColumn("write_lag_p50_ms")] public required double? WriteLagP50Millis { get; init; }
    [CsvColumn("flush_lag_p50_ms")] public required double? FlushLagP50Millis { get; init; }
    [CsvColumn("flush_lag_p99_ms")] public required double? FlushLagP99Millis { get; init; }
    [CsvColumn("replay_lag_p50_ms")] public required double? ReplayLagP50Millis { get; init; }
    [CsvColumn("replay_lag_p99_ms")] public required double? ReplayLagP99Millis { get; init; }
    [CsvColumn("replay_lag_max_ms")] public required double? ReplayLagMaxMillis { get; init; }
    [CsvColumn("lag_bytes_p50")] public required long? LagBytesP50 { get; init; }
    [CsvColumn("lag_bytes_p99")] public required long? LagBytesP99 { get; init; }
    [CsvColumn("not_durable_commits_mean")] public required double NotDurableCommitsMean { get; init; }
    [CsvColumn("durability_delay_mean_ms")] public required double DurabilityDelayMeanMillis { get; init; }
    [CsvColumn("disconnections")] public required long Disconnections { get; init; }
    [CsvColumn("disconnected_s")] public required double DisconnectedSeconds { get; init; }
}

/// <summary>commit_latency_histogram.csv: the non-empty buckets of the commit latency histogram.</summary>
[CsvRecord]
public sealed partial record LatencyBucketRow
{
    [CsvColumn("model")] public required string Model { get; init; }
    [CsvColumn("seed")] public required ulong Seed { get; init; }
    [CsvColumn("low_us")] public required double LowMicros { get; init; }
    [CsvColumn("high_us")] public required double HighMicros { get; init; }
    [CsvColumn("count")] public required long Count { get; init; }
    [CsvColumn("cumulative_fraction")] public required double CumulativeFraction { get; init; }
}

/// <summary>lag.csv: the lag time series, one row per standby per sample interval.</summary>
[CsvRecord]
public sealed partial record LagRow
{
    [CsvColumn("model")] public required string Model { get; init; }
    [CsvColumn("seed")] public required ulong Seed { get; init; }
    [CsvColumn("time_s")] public required double TimeSeconds { get; init; }
    [CsvColumn("standby")] public required string Standby { get; init; }
    [CsvColumn("current_lsn")] public required string CurrentLsn { get; init; }
    [CsvColumn("sent_lsn")] public required string SentLsn { get; init; }
    [CsvColumn("write_lsn")] public required string WriteLsn { get; init; }
    [CsvColumn("flush_lsn")] public required string FlushLsn { get; init; }
    [CsvColumn("replay_lsn")] public required string ReplayLsn { get; init; }
    [CsvColumn("lag_bytes")] public required long LagBytes { get; init; }
    [CsvColumn("write_lag_ms")] public required double WriteLagMillis { get; init; }
    [CsvColumn("flush_lag_ms")] public required double FlushLagMillis { get; init; }
    [CsvColumn("replay_lag_ms")] public required double ReplayLagMillis { get; init; }
}
