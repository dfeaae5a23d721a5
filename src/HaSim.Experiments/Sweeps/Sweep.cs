using System.Globalization;
using System.Text.Json;
using HaSim.Experiments.Runs;

namespace HaSim.Experiments.Sweeps;

/// <summary>A deterministic slice of a sweep's runs: run number r (in output order) belongs to shard r mod count.</summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard Whole = new(0, 1);

    public bool IsWhole => Count == 1;

    public bool Contains(int runNumber) => runNumber % Count == Index;

    /// <summary>Parses <c>i/n</c> with 0 &lt;= i &lt; n.</summary>
    public static bool TryParse(string text, out Shard shard, out string error)
    {
        shard = Whole;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !int.TryParse(text[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1 || index >= count)
        {
            error = $"expected i/n with 0 <= i < n (e.g. 0/4 for the first of four shards), found '{text}'";
            return false;
        }
        shard = new Shard(index, count);
        error = "";
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}

/// <summary>How far a sweep has got, for a progress display.</summary>
public readonly record struct SweepProgress(int Done, int Total, int Resumed, TimeSpan Elapsed)
{
    /// <summary>The remaining time at the rate of the runs done in this session (resumed ones took no time).</summary>
    public TimeSpan? Eta => Done > Resumed && Done < Total ? Elapsed * ((double)(Total - Done) / (Done - Resumed)) : null;
}

/// <summary>A sweep that cannot go on: a directory holding another plan, shards that do not fit together.</summary>
public sealed class SweepException(string message) : Exception(message);

/// <summary>
/// Runs an experiment's runs (or one shard of them) in parallel into a directory: each finished
/// run goes to the journal at once, so a killed sweep restarted with the same command only runs
/// what is missing. When every run of the experiment is in the directory it writes the outputs.
/// </summary>
public static class Sweep
{
    public const string MetadataFile = "sweep.json";

    private sealed record Metadata(string Experiment, string Plan, string Shard, int Runs, string Build);

    /// <summary>
    /// Which build of the simulation computed the results: a hash of the module version ids of the
    /// assemblies that decide a run's numbers (deterministic builds give the same id for the same
    /// source and compiler). A journal from another build is not resumed or merged, so a sweep never
    /// mixes results of two versions of the code.
    /// </summary>
    public static string BuildFingerprint { get; } = ComputeBuildFingerprint();

    private static string ComputeBuildFingerprint()
    {
        System.Reflection.Assembly[] assemblies =
        [
            typeof(HaSim.Primitives.Duration).Assembly, typeof(HaSim.Kernel.SimRandom).Assembly, typeof(HaSim.Failover.FailoverController).Assembly,
            typeof(HaSim.Model.Cluster.ClusterRunner).Assembly, typeof(HaSim.Checkers.HistoryChecks).Assembly, typeof(Sweep).Assembly,
        ];
        var hash = new System.IO.Hashing.XxHash64();
        foreach (var assembly in assemblies)
        {
            hash.Append(assembly.ManifestModule.ModuleVersionId.ToByteArray());
        }
        return hash.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>Runs what is missing of <paramref name="shard"/>; returns the records of the shard, all finished.</summary>
    public static IReadOnlyList<RunRecord> Run(Experiment experiment, string directory, Shard shard, int jobs, Action<SweepProgress>? progress = null,
        Action<string>? log = null)
    {
        Directory.CreateDirectory(directory);
        var runs = experiment.Runs.Where((_, number) => shard.Contains(number)).ToArray();
        CheckOrWriteMetadata(directory, new Metadata(experiment.Name, experiment.PlanHash, shard.ToString(), runs.Length, BuildFingerprint), log);

        using var journal = SweepJournal.Open(directory);
        var done = new Dictionary<RunKey, RunRecord>();
        foreach (var record in journal.Records)
        {
            done.TryAdd(record.Key, record);
        }
        var pending = runs.Where(r => !done.ContainsKey(r)).ToArray();
        var resumed = runs.Length - pending.Length;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var finished = resumed;
        var sync = new Lock();
        progress?.Invoke(new SweepProgress(finished, runs.Length, resumed, clock.Elapsed));
        Parallel.ForEach(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, key =>
        {
            var configuration = experiment.Configurations[key.Config];
            var record = RunRecord.From(key, ModelRun.Execute(configuration.Spec, key.Seed));
            journal.Append(record);
            lock (sync)
            {
                done[key] = record;
                finished++;
                progress?.Invoke(new SweepProgress(finished, runs.Length, resumed, clock.Elapsed));
            }
        });
        var records = runs.Select(r => done[r]).ToArray();
        if (shard.IsWhole)
        {
            SweepOutputs.Write(directory, experiment, records);
        }
        return records;
    }

    /// <summary>
    /// Combines the shard directories of one experiment into <paramref name="directory"/>: the
    /// outputs a single-machine sweep would write, byte for byte. Every run must be present in
    /// exactly one shard (or in several with identical results).
    /// </summary>
    public static IReadOnlyList<RunRecord> Merge(Experiment experiment, string directory, IReadOnlyList<string> shardDirectories)
    {
        var records = new Dictionary<RunKey, RunRecord>();
        foreach (var shardDirectory in shardDirectories)
        {
            var metadata = ReadMetadata(shardDirectory)
                ?? throw new SweepException($"{shardDirectory}: no {MetadataFile}: not a sweep directory");
            if (metadata.Plan != experiment.PlanHash)
            {
                throw new SweepException($"{shardDirectory}: its runs come from another plan ({metadata.Experiment}, plan {metadata.Plan}) than {experiment.File} (plan {experiment.PlanHash})");
            }
            if (metadata.Build != BuildFingerprint)
            {
                throw new SweepException($"{shardDirectory}: its runs were computed by another build of HaSim (build {metadata.Build}; this one is {BuildFingerprint}); rerun that shard with this build");
            }
            foreach (var record in SweepJournal.Read(Path.Combine(shardDirectory, SweepJournal.FileName)))
            {
                if (records.TryGetValue(record.Key, out var existing) && existing.ToJournalLine() != record.ToJournalLine())
                {
                    throw new SweepException($"{shardDirectory}: {record.Key} has different results in two shards (traces {existing.Trace} and {record.Trace})");
                }
                records[record.Key] = record;
            }
        }
        var missing = experiment.Runs.Where(r => !records.ContainsKey(r)).ToArray();
        if (missing.Length > 0)
        {
            throw new SweepException($"{missing.Length} of {experiment.Runs.Count} runs are in none of the shards, the first: {missing[0]}; run the missing shards (or resume them) first");
        }
        Directory.CreateDirectory(directory);
        var all = experiment.Runs.Select(r => records[r]).ToArray();
        SweepOutputs.Write(directory, experiment, all);
        return all;
    }

    private static void CheckOrWriteMetadata(string directory, Metadata metadata, Action<string>? log)
    {
        if (ReadMetadata(directory) is { } existing)
        {
            if (existing.Plan != metadata.Plan || existing.Shard != metadata.Shard)
            {
                throw new SweepException(
                    $"{directory} holds runs of another sweep ({existing.Experiment}, plan {existing.Plan}, shard {existing.Shard}); this is {metadata.Experiment}, plan {metadata.Plan}, shard {metadata.Shard}: use another --out directory, or delete that one");
            }
            if (existing.Build == metadata.Build)
            {
                return;
            }
            // Computed by another version of the code: set those results aside and start again, so
            // that results of two versions are never mixed.
            var journal = Path.Combine(directory, SweepJournal.FileName);
            if (File.Exists(journal))
            {
                var stale = journal + ".build-" + existing.Build;
                File.Move(journal, stale, overwrite: true);
                log?.Invoke($"{directory}: its runs were computed by another build of HaSim (build {existing.Build}; this one is {metadata.Build}): moved them to {stale} and starting again");
            }
        }
        CsvText.WriteAtomically(Path.Combine(directory, MetadataFile), JsonSerializer.Serialize(metadata) + "\n");
    }

    private static Metadata? ReadMetadata(string directory)
    {
        var path = Path.Combine(directory, MetadataFile);
        return File.Exists(path) ? JsonSerializer.Deserialize<Metadata>(File.ReadAllText(path)) : null;
    }
}
