using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using HaSim.Experiments.Loading;
using HaSim.Experiments.Replay;
using HaSim.Experiments.Runs;
using HaSim.Experiments.Tests.Plots;
using HaSim.Model.Cluster;

namespace HaSim.Experiments.Tests.Replay;

/// <summary>
/// The VM pause of models/failover-vm-pause.yaml, seed 1, replayed: pg1 freezes at 60 s, pg2 is
/// promoted at about 88 s, and pg1 accepts the writes that waited when it resumes at 105 s.
/// </summary>
public sealed partial class ReplayTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"hasim-replay-{Guid.NewGuid():N}");

    private static string ModelPath(string name) => Path.Combine(AppContext.BaseDirectory, "models", name + ".yaml");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void AReplayIsTheSameRunAsAPlainRunWithTheSameTraceHash()
    {
        var path = ModelPath("failover-vm-pause");
        var replay = Replayer.Run(path, 1);
        var plain = ModelRun.Execute(ModelLoader.LoadFile(path), 1);
        Assert.Equal(plain.Report.Fingerprint, replay.Fingerprint);
        Assert.Equal(plain.Checks!.Violations, replay.Checks.Violations);
        // It heard the agents: every node's HA cycles, and pg2's promotion.
        Assert.All(new[] { 0, 1, 2 }, n => Assert.Contains(replay.Events, e => e.Kind == "agent.cycle" && e.Node == n));
        Assert.Contains(replay.Events, e => e.Kind == "agent.promote" && e.Node == 1);
    }

    [Fact]
    public void AnAgentLogSinkDoesNotChangeTheRun()
    {
        var spec = ModelLoader.LoadFile(ModelPath("failover-crash-sync"));
        var log = new CountingLog();
        var with = ModelRun.Execute(spec, 3, agentLog: log);
        var without = ModelRun.Execute(spec, 3);
        Assert.Equal(without.Report.Fingerprint, with.Report.Fingerprint);
        Assert.True(log.Cycles > 10, $"{log.Cycles} cycles logged");
        Assert.True(log.Promotions >= 1, "the crash of the primary leads to a promotion");
    }

    [Fact]
    public void TheNarrativeTellsTheSplitBrainInTimeOrder()
    {
        var narrative = NarrativeTimeline.Build(Replayer.Run(ModelPath("failover-vm-pause"), 1));
        var timeline = narrative.Timeline;
        Assert.All(timeline, line => Assert.Matches(TimelineLine(), line));
        var times = timeline.Select(line => double.Parse(TimelineLine().Match(line).Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(times.Order(), times);

        string At(string text) => Assert.Single(timeline, line => line.Contains(text, StringComparison.Ordinal));
        Assert.Contains("t=  60.000s  FAULT pause of pg1 begins (for 45s)", timeline);
        Assert.Contains("t= 105.000s  FAULT pause of pg1 heals", timeline);
        At("leader key: now held by pg2");
        At("pg2: replica -> primary on timeline 2");
        // Both primaries, the window with two of them opening and closing, and the violation with its evidence.
        Assert.Matches(@"^t=  88\.\d{3}s  TWO WRITABLE PRIMARIES: pg1 \(its machine paused\) and pg2; a split brain if both accept writes$", At("TWO WRITABLE PRIMARIES"));
        Assert.Matches(@"^t= 105\.000s  one writable primary again after 16\.\d{3}s with two: pg2$", At("one writable primary again"));
        Assert.Matches(@"^t=  92\.023s  VIOLATION single-writer: split brain: pg1 \(timeline 1\) and pg2 \(timeline 2\) both accepted writes between t=92\.023s and t=105\.000s .*3,171 writes .*e\.g\. write #\d+ accepted by pg1 at t=105\.000s",
            At("VIOLATION"));
        Assert.Matches(@"^t= 105\.000s  split brain over: one node accepts writes again \(pg1 and pg2 both did for 12\.977s\)$", At("split brain over"));
        At("pg1 agent: \"demoting self because I do not have the lock and I was a leader\"");
        At("pg2 accepts its first write on timeline 2");
        Assert.Matches(@"pg1 accepts its last write on timeline 1: #\d+; 15,188 writes accepted there since t=0\.015s: 12,017 acknowledged, 3,171 with unknown outcome; 3,171 not in the surviving history \(0 of them acknowledged\)",
            At("pg1 accepts its last write"));
        // The leader's renewals, every loop_wait, are one line until the pause.
        Assert.Matches(@"pg1 agent: ""no action\. I am \(pg1\), the leader with the lock"" \[6 times, the last at t=55\.855s\]", At("the leader with the lock\" [6"));
        Assert.True(timeline.Count < 80, $"{timeline.Count} lines: repeats are not collapsed");

        Assert.Contains("invariants violated: single-writer", narrative.Verdicts);
        Assert.Contains(narrative.Verdicts, line => line.StartsWith("  single writer: VIOLATED", StringComparison.Ordinal) && line.Contains("pg1 on timeline 1 and pg2 on timeline 2", StringComparison.Ordinal));
    }

    [Fact]
    public void TheChromeTraceHasSpansInstantsAndCountersInOrderAndTheSameBytesEveryTime()
    {
        var path = ModelPath("failover-vm-pause");
        var bytes = ChromeTrace.Write(Replayer.Run(path, 1));
        Assert.Equal(bytes, ChromeTrace.Write(Replayer.Run(path, 1)));

        using var json = JsonDocument.Parse(bytes);
        Assert.Equal("ms", json.RootElement.GetProperty("displayTimeUnit").GetString());
        var events = json.RootElement.GetProperty("traceEvents").EnumerateArray().ToArray();
        var phases = events.Select(e => e.GetProperty("ph").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "M", "X", "i", "C" }, phases);

        var last = new Dictionary<(int, int, string), decimal>();
        foreach (var e in events.Where(e => e.GetProperty("ph").GetString() != "M"))
        {
            var ph = e.GetProperty("ph").GetString()!;
            var track = (e.GetProperty("pid").GetInt32(), e.GetProperty("tid").GetInt32(), ph == "C" ? e.GetProperty("name").GetString()! : "");
            var ts = e.GetProperty("ts").GetDecimal();
            Assert.True(!last.TryGetValue(track, out var before) || before <= ts, $"{track}: {ts} after {before}");
            last[track] = ts;
            if (ph == "X")
            {
                Assert.True(e.GetProperty("dur").GetDecimal() >= 0);
            }
        }

        string ProcessName(int pid) => events.Single(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "process_name"
            && e.GetProperty("pid").GetInt32() == pid).GetProperty("args").GetProperty("name").GetString()!;
        Assert.Equal(["pg1", "pg2", "pg3", "cluster"], new[] { 1, 2, 3, 4 }.Select(ProcessName));
        // pg2's role track: replica, then primary on timeline 2 from its promotion (µs of simulated time).
        var pg2Roles = events.Where(e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("pid").GetInt32() == 2 && e.GetProperty("cat").GetString() == "role").ToArray();
        Assert.Equal(["replica, timeline 1", "primary, timeline 2"], pg2Roles.Select(e => e.GetProperty("name").GetString()));
        Assert.InRange(pg2Roles[1].GetProperty("ts").GetDecimal(), 88_000_000m, 89_000_000m);
        // pg1's fault track holds the pause, 60 s to 105 s.
        var pause = Assert.Single(events, e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("pid").GetInt32() == 1 && e.GetProperty("cat").GetString() == "fault");
        Assert.Equal((60_000_000m, 45_000_000m), (pause.GetProperty("ts").GetDecimal(), pause.GetProperty("dur").GetDecimal()));
        Assert.Contains(events, e => e.GetProperty("ph").GetString() == "i" && e.GetProperty("pid").GetInt32() == 2 && e.GetProperty("name").GetString() == "promote");
        Assert.Contains(events, e => e.GetProperty("ph").GetString() == "i" && e.GetProperty("name").GetString() == "VIOLATION single-writer");
        // Both primaries' accepted writes per second, pg1's falling to zero when it froze.
        var pg1Writes = events.Where(e => e.GetProperty("ph").GetString() == "C" && e.GetProperty("pid").GetInt32() == 1).ToArray();
        Assert.Contains(pg1Writes, e => e.GetProperty("ts").GetDecimal() == 60_000_000m && e.GetProperty("args").GetProperty("accepted").GetInt64() == 0);
        Assert.Contains(events, e => e.GetProperty("ph").GetString() == "C" && e.GetProperty("pid").GetInt32() == 2 && e.GetProperty("args").GetProperty("accepted").GetInt64() > 0);
    }

    [Fact]
    public void TheFilesAreWrittenAndTheSameOnEveryReplay()
    {
        var path = ModelPath("failover-vm-pause");
        var first = Replayer.Write(Replayer.Run(path, 1), Path.Combine(_directory, "a"));
        var second = Replayer.Write(Replayer.Run(path, 1), Path.Combine(_directory, "b"));
        Assert.Equal((1200, 700), PlotFixtures.PngSize(first.TimelineFile));
        foreach (var (a, b) in new[] { (first.NarrativeFile, second.NarrativeFile), (first.ChromeTraceFile, second.ChromeTraceFile), (first.TimelineFile, second.TimelineFile) })
        {
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        }
        Assert.Equal(string.Join('\n', first.Narrative.Lines) + "\n", File.ReadAllText(first.NarrativeFile));
        Assert.StartsWith($"hasim replay {path} --seed 1\nseed=1 trace=", File.ReadAllText(first.NarrativeFile), StringComparison.Ordinal);
    }

    [Fact]
    public void AHealthyRunIsMarkedNowhereAndItsNarrativeSaysSo()
    {
        var replay = Replayer.Run(ModelPath("failover-vm-pause-watchdog"), 1);
        Assert.True(replay.Checks.AllHold, string.Join("; ", replay.Checks.SummaryLines));
        Assert.Empty(Replayer.ViolationMarkers(replay));
        var narrative = NarrativeTimeline.Build(replay);
        Assert.Equal("every invariant holds", narrative.Verdicts[^1]);
        Assert.DoesNotContain(narrative.Timeline, line => line.Contains("VIOLATION", StringComparison.Ordinal) || line.Contains("split brain over", StringComparison.Ordinal));
        // pg1 is still a primary, paused, when pg2 is promoted; its watchdog resets it as it resumes, before it accepts a write.
        Assert.Contains(narrative.Timeline, line => line.Contains("TWO WRITABLE PRIMARIES: pg1 (its machine paused) and pg2", StringComparison.Ordinal));
        var reset = Assert.Single(narrative.Timeline, line => line.Contains("pg1: WATCHDOG RESET", StringComparison.Ordinal));
        Assert.StartsWith("t= 105.000s", reset, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSeedComesFromTheReproFilesReplayLine()
    {
        Assert.Equal(41UL, Replayer.RecordedSeed("# The schedule of x shrunk\n# Replay it: hasim run some/file.yaml --seed 41\nname: m\n"));
        Assert.Equal(7UL, Replayer.RecordedSeed("# Replay it: hasim replay THIS_FILE --seed 7\n"));
        Assert.Null(Replayer.RecordedSeed("name: m\n# Replay it: hasim run f.yaml --seed 41\n")); // only the comment block at the top
        Assert.Null(Replayer.RecordedSeed(File.ReadAllText(ModelPath("failover-vm-pause"))));

        var regression = Path.Combine(RepositoryRoot(), "tests", "HaSim.Experiments.Tests", "Exploration", "regressions", "overlapping-crashes-restart-once.yaml");
        var replay = Replayer.Run(regression, seed: null);
        Assert.Equal(41UL, replay.Seed);
        Assert.Equal(ModelRun.Execute(ModelLoader.LoadFile(regression), 41).Report.Fingerprint, replay.Fingerprint);
    }

    [Fact]
    public void BadInputNamesTheFile()
    {
        var noSeed = Assert.Throws<ModelLoadException>(() => Replayer.Run(ModelPath("failover-vm-pause"), seed: null));
        Assert.Contains("failover-vm-pause.yaml: records no seed", noSeed.Message, StringComparison.Ordinal);
        var noFailover = Assert.Throws<ModelLoadException>(() => Replayer.Run(ModelPath("lesson"), 1));
        Assert.Contains("lesson.yaml: replaying explains a failover run", noFailover.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ModelLoadException>(() => Replayer.Run(Path.Combine(_directory, "nope.yaml"), 1));
        Assert.Contains("nope.yaml: cannot read the repro file", missing.Message, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "HaSim.sln")))
        {
            directory = directory.Parent;
        }
        return directory!.FullName;
    }

    [GeneratedRegex(@"^t=\s*(\d+\.\d{3})s  \S")]
    private static partial Regex TimelineLine();

    private sealed class CountingLog : IAgentLogSink
    {
        public int Cycles { get; private set; }
        public int Promotions { get; private set; }

        public void Write(in AgentLogEntry entry)
        {
            Cycles += entry.Kind == AgentLogKind.Cycle ? 1 : 0;
            Promotions += entry.Kind == AgentLogKind.Promote ? 1 : 0;
        }
    }
}
