using HaSim.Checkers;
using HaSim.Experiments.Loading;
using HaSim.Experiments.Runs;
using HaSim.Primitives;
using Xunit.Abstractions;

namespace HaSim.Experiments.Tests.Scenarios;

/// <summary>
/// experiments/split-brain/04-check-timeline: a former primary, back as a replica on timeline 1
/// and cut off from the others, races for the key after the timeline-2 primary fails. Without
/// check_timeline it wins and timeline 2's acknowledged writes are discarded; with it (the only
/// setting that differs) pg3, on timeline 2, takes over and nothing acknowledged is lost.
/// The story, with its times and LSNs, is in the two model files and the entry's README.md.
/// </summary>
public sealed class CheckTimelineScenarioTests(ITestOutputHelper output)
{
    private static readonly NodeId Pg1 = new(0);
    private static readonly NodeId Pg2 = new(1);
    private static readonly NodeId Pg3 = new(2);

    [Fact]
    public void TheTwoFilesDifferOnlyInCheckTimeline()
    {
        static string[] Settings(string file) => [.. File.ReadLines(Path.Combine(EntryDirectory, file))
            .Select(line => line.Split('#')[0].TrimEnd())
            .Where(line => line.Length > 0 && !line.StartsWith("name:", StringComparison.Ordinal))];

        var buggy = Settings("buggy.yaml");
        var fix = Settings("fixed.yaml");
        Assert.Equal(buggy.Length, fix.Length);
        var differing = buggy.Zip(fix).Where(pair => pair.First != pair.Second).ToArray();
        Assert.Equal(new[] { ("  check_timeline: false", "  check_timeline: true") }, differing);
    }

    /// <summary>
    /// Seed 1: pg2 is promoted to timeline 2 and acknowledges thousands of writes before it crashes;
    /// pg1, on timeline 1, wins the second race and is promoted from timeline 1 to timeline 3: every
    /// acknowledged write it lacks is a timeline-2 write, and the run ends with pg1 as the primary.
    /// </summary>
    [Fact]
    public void WithoutCheckTimelineTheFormerPrimaryDiscardsTheNewerPromotion()
    {
        var run = Run("buggy.yaml");
        var history = run.History!;
        var checks = run.Checks!;
        output.WriteLine($"{run.Report.Fingerprint}: {string.Join("; ", checks.SummaryLines)}");

        Assert.Equal(new[] { "durability" }, checks.Violations);
        Assert.Collection(history.Switches.OrderBy(s => s.At),
            first => AssertSwitch(first, Pg2, parent: 1, timeline: 2),
            second => AssertSwitch(second, Pg1, parent: 1, timeline: 3)); // from the old timeline, not from 2
        Assert.Equal(new[] { "pg1" }, run.Report.Failover!.FinalPrimaries);

        // Far more than an asynchronous failover's tail, and all of it from the discarded timeline 2.
        Assert.True(checks.Durability.Lost.Count > 1_000, checks.Durability.Summary);
        var lost = history.Commits.Where(c => c.Outcome == CommitOutcome.Acknowledged && !history.Survives(c)).ToArray();
        Assert.Equal(checks.Durability.Lost.Count, lost.Length);
        Assert.All(lost, c => Assert.Equal(new Term(2), c.Placement!.Value.Timeline));
        // Everything else holds: no two writers at once, and timeline 3's parent (1) is complete.
        Assert.True(checks.SingleWriter.Holds, checks.SingleWriter.Summary);
        Assert.True(checks.FreshPromotion.Holds, checks.FreshPromotion.Summary);
    }

    /// <summary>
    /// Seed 1, check_timeline on: the same schedule until pg2's key expires; pg1 stays out of the
    /// race ("my timeline 1 is behind the cluster's 2"), pg3 is promoted from timeline 2, and every
    /// invariant holds.
    /// </summary>
    [Fact]
    public void WithCheckTimelineTheNewerTimelineSurvives()
    {
        var run = Run("fixed.yaml");
        var history = run.History!;
        var checks = run.Checks!;
        output.WriteLine($"{run.Report.Fingerprint}: {string.Join("; ", checks.SummaryLines)}");

        Assert.True(checks.AllHold, string.Join("; ", checks.SummaryLines));
        Assert.Collection(history.Switches.OrderBy(s => s.At),
            first => AssertSwitch(first, Pg2, parent: 1, timeline: 2),
            second => AssertSwitch(second, Pg3, parent: 2, timeline: 3));
        Assert.Equal(new[] { "pg3" }, run.Report.Failover!.FinalPrimaries);
        // pg1 was never primary again: its last role is a replica on the surviving timeline.
        var pg1 = history.Roles.Where(r => r.Node == Pg1).MaxBy(r => r.From)!;
        Assert.Equal(NodeRole.Replica, pg1.Role);
        Assert.Equal(new Term(3), pg1.Timeline);
    }

    /// <summary>
    /// What check_timeline costs, as in Patroni, on the same files with seed 9: pg2 is promoted later
    /// (90.8 s) and crashes at 97 s before pg3's next cycle has pointed it at pg2, so no standby ever
    /// reaches timeline 2 and nothing is acknowledged on it. Without check_timeline pg1 takes over
    /// from timeline 1 and nothing acknowledged is lost. With it, pg1 and pg3 (both on timeline 1,
    /// below /history's 2) may not race, and pg2, back at 159 s on timeline 2, defers to pg1, whose
    /// timeline-1 LSN is higher (the peer comparison ignores timelines): no leader to the end.
    /// </summary>
    [Fact]
    public void CheckTimelineLeavesTheClusterLeaderlessWhenNoStandbyReachedTheNewerTimeline()
    {
        var buggy = Run("buggy.yaml", seed: 9);
        output.WriteLine($"buggy {buggy.Report.Fingerprint}: {string.Join("; ", buggy.Checks!.SummaryLines)}");
        Assert.True(buggy.Checks.AllHold, string.Join("; ", buggy.Checks.SummaryLines));
        Assert.Collection(buggy.History!.Switches.OrderBy(s => s.At),
            first => AssertSwitch(first, Pg2, parent: 1, timeline: 2),
            second => AssertSwitch(second, Pg1, parent: 1, timeline: 3));

        var fix = Run("fixed.yaml", seed: 9);
        output.WriteLine($"fixed {fix.Report.Fingerprint}: {string.Join("; ", fix.Checks!.SummaryLines)}");
        Assert.Equal(new[] { "liveness" }, fix.Checks.Violations);
        AssertSwitch(Assert.Single(fix.History!.Switches), Pg2, parent: 1, timeline: 2);
        Assert.Empty(fix.Report.Failover!.FinalPrimaries);
        Assert.All(new[] { Pg1, Pg3 }, node =>
            Assert.Equal(new Term(1), fix.History.Roles.Where(r => r.Node == node).MaxBy(r => r.From)!.Timeline));
    }

    private static void AssertSwitch(TimelineSwitch promotion, NodeId node, long parent, long timeline)
    {
        Assert.Equal(node, promotion.Node);
        Assert.Equal(new Term(parent), promotion.Parent);
        Assert.Equal(new Term(timeline), promotion.NewTimeline);
    }

    private static ModelRunResult Run(string file, ulong seed = 1) =>
        ModelRun.Execute(ModelLoader.LoadFile(Path.Combine(EntryDirectory, file)), seed);

    private static string EntryDirectory
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "HaSim.sln")))
            {
                directory = directory.Parent;
            }
            return Path.Combine(directory!.FullName, "experiments", "split-brain", "04-check-timeline");
        }
    }
}
