using System.Globalization;
using System.Text.RegularExpressions;
using HaSim.Checkers;
using HaSim.Experiments.Loading;
using HaSim.Experiments.Plots;
using HaSim.Experiments.Runs;
using HaSim.Kernel;
using HaSim.Model.Cluster;
using HaSim.Model.Spec;
using HaSim.Primitives;

namespace HaSim.Experiments.Replay;

/// <summary>
/// Something the replay heard during the run, in the order the run did it: an agent log entry
/// (<see cref="Kind"/> <c>agent.cycle</c>, <c>agent.promote</c>, ... with its <see cref="Detail"/>)
/// or a traced state change (<c>db.rewind</c>, <c>proxy.route</c>, ... with its two values).
/// </summary>
/// <param name="Node">The node it concerns (the trace's subject), or -1.</param>
public sealed record ReplayEvent(Instant At, int Node, string Kind, string Detail, long A, long B);

/// <summary>
/// One replayed run of a repro with everything its explanation needs: the model, the seed, the
/// run with its history and verdicts, and what the agents decided and the traced state changes a
/// narrative mentions (<see cref="Events"/>: promotions, stops, starts, rewinds, watchdog resets,
/// machine restarts, write-endpoint moves, standby sessions). Commits and WAL progress are not kept
/// event by event: the history holds every client write.
/// </summary>
public sealed record ReplayedRun(string ReproPath, ClusterSpec Spec, ulong Seed, ModelRunResult Run, IReadOnlyList<ReplayEvent> Events)
{
    public RunHistory History => Run.History!;
    public CheckReport Checks => Run.Checks!;

    /// <summary><c>seed=... trace=...</c>, as <c>hasim run</c> prints it for the same file and seed.</summary>
    public string Fingerprint => Run.Report.Fingerprint;

    /// <summary>The name of node <paramref name="id"/> in the model.</summary>
    public string Name(NodeId id) => Spec.Nodes[id.Value].Name;

    /// <summary>The name of node <paramref name="index"/>, or "-" for none.</summary>
    public string Name(long index) => index >= 0 && index < Spec.Nodes.Count ? Spec.Nodes[(int)index].Name : "-";
}

/// <summary>The files <see cref="Replayer.Write"/> wrote.</summary>
public sealed record ReplayFiles(string Directory, string NarrativeFile, string ChromeTraceFile, string TimelineFile, Narrative Narrative);

/// <summary>
/// <c>hasim replay</c>: reruns a repro exactly as <c>hasim run</c> does (same file, same seed, same
/// trace hash) while listening to the agents and the trace, then explains the run three ways: a
/// narrative (<see cref="NarrativeTimeline"/>), a Chrome trace (<see cref="ChromeTrace"/>) and the
/// timeline figure (<see cref="TimelineFigure"/>).
/// </summary>
public static partial class Replayer
{
    public const string NarrativeFile = "narrative.txt";
    public const string ChromeTraceFile = "trace.json";
    public const string TimelineImage = "timeline.png";

    /// <summary>The trace kinds a narrative mentions; the others (commits, WAL writes and flushes, replies, DCS commits) are counted, not kept.</summary>
    internal static readonly string[] KeptKinds =
    [
        "db.promote", "db.stop", "db.start", "db.rewind", "watchdog.reset", "node.restart", "proxy.route",
        "standby.disconnect", "standby.connect",
    ];

    /// <summary>
    /// The seed a repro file records: hasim explore and hasim shrink write
    /// <c># Replay it: hasim run FILE --seed N</c> at its top. Null when there is no such line.
    /// </summary>
    public static ulong? RecordedSeed(string reproText)
    {
        foreach (var line in reproText.Split('\n'))
        {
            if (!line.StartsWith('#'))
            {
                if (line.Trim().Length > 0)
                {
                    break; // only the comment block at the top counts
                }
                continue;
            }
            var match = ReplayLine().Match(line);
            if (match.Success && ulong.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
            {
                return seed;
            }
        }
        return null;
    }

    /// <summary>Beside the repro: <c>DIR/NAME-replay/</c> for <c>DIR/NAME.yaml</c>.</summary>
    public static string DefaultDirectory(string reproPath) =>
        Path.Combine(Path.GetDirectoryName(reproPath) is { Length: > 0 } d ? d : ".", Path.GetFileNameWithoutExtension(reproPath) + "-replay");

    /// <summary>
    /// Loads and reruns the repro at <paramref name="path"/> with <paramref name="seed"/>, or with the
    /// seed the file records. Bad input (an unreadable or invalid file, no seed, a model without a
    /// failover section) is a <see cref="ModelLoadException"/> naming the file.
    /// </summary>
    public static ReplayedRun Run(string path, ulong? seed)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelLoadException(path, 0, 0, $"cannot read the repro file: {e.Message}");
        }
        var chosen = seed ?? RecordedSeed(text)
            ?? throw new ModelLoadException(path, 0, 0, "records no seed (no '# Replay it: hasim run FILE --seed N' line at its top); give one with --seed");
        // Loaded as hasim run loads it (ModelLoader.LoadFile), so the run is the same one.
        var spec = ModelLoader.LoadText(text, path);
        if (spec.Failover is null)
        {
            throw new ModelLoadException(path, 0, 0, "replaying explains a failover run (roles, leader key, invariants); this model has no failover section");
        }
        var listener = new Listener();
        var run = ModelRun.Execute(spec, chosen, traceSink: listener, agentLog: listener);
        return new ReplayedRun(path, spec, chosen, run, listener.Events);
    }

    /// <summary>
    /// Writes narrative.txt, trace.json and timeline.png into <paramref name="directory"/> (and the
    /// timeline.csv and writes.csv the figure is drawn from), creating it if needed.
    /// </summary>
    public static ReplayFiles Write(ReplayedRun replay, string directory)
    {
        Directory.CreateDirectory(directory);
        var story = NarrativeTimeline.Build(replay);
        var narrative = Path.Combine(directory, NarrativeFile);
        File.WriteAllText(narrative, string.Join('\n', story.Lines) + "\n");

        var trace = Path.Combine(directory, ChromeTraceFile);
        File.WriteAllBytes(trace, ChromeTrace.Write(replay));

        RunCsv.Write(Path.Combine(directory, TimelineCsv.TimelineFile), TimelineCsv.TimelineRows(replay.Run, replay.Spec));
        RunCsv.Write(Path.Combine(directory, TimelineCsv.WritesFile), TimelineCsv.WritesRows(replay.Run, replay.Spec));
        var image = Path.Combine(directory, TimelineImage);
        TimelineFigure.Draw(new TimelinePlotOptions
        {
            Input = directory,
            Output = image,
            Seed = replay.Seed,
            Title = $"{replay.Spec.Name}, seed {replay.Seed}: roles, leader key and client writes",
            Markers = ViolationMarkers(replay),
        });
        return new ReplayFiles(directory, narrative, trace, image, story);
    }

    /// <summary>Where each violated invariant shows, for the figure: the first split-brain window, the first lost write, the first stale promotion, the liveness verdict.</summary>
    public static IReadOnlyList<TimelineMarker> ViolationMarkers(ReplayedRun replay) =>
        Violations.Of(replay).Select(v => new TimelineMarker(v.At.SinceStart.TotalSeconds, v.Invariant)).ToArray();

    [GeneratedRegex(@"^#\s*Replay it:\s*hasim (?:run|replay) .* --seed (\d+)\s*$")]
    private static partial Regex ReplayLine();

    /// <summary>Both sinks in one, so agent decisions and traced changes keep the order the run made them in.</summary>
    private sealed class Listener : IAgentLogSink, ITraceSink
    {
        public List<ReplayEvent> Events { get; } = [];

        public void Write(in AgentLogEntry entry) =>
            Events.Add(new ReplayEvent(entry.At, entry.Node.Value, AgentKind(entry.Kind), entry.Detail, 0, 0));

        public void Record(in TraceEvent ev)
        {
            if (Array.IndexOf(KeptKinds, ev.Kind.Name) >= 0)
            {
                Events.Add(new ReplayEvent(ev.Time, ev.Subject, ev.Kind.Name, "", ev.A, ev.B));
            }
        }

        private static string AgentKind(AgentLogKind kind) => kind switch
        {
            AgentLogKind.Cycle => "agent.cycle",
            AgentLogKind.Promote => "agent.promote",
            AgentLogKind.Demote => "agent.demote",
            AgentLogKind.Follow => "agent.follow",
            AgentLogKind.Start => "agent.start",
            AgentLogKind.WatchdogArm => "agent.watchdog_arm",
            AgentLogKind.WatchdogDisarm => "agent.watchdog_disarm",
            AgentLogKind.SynchronousStandbyNames => "agent.synchronous_standby_names",
            _ => "agent." + kind.ToString().ToLowerInvariant(),
        };
    }
}
