using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Failover.Tests;

/// <summary>
/// Table-driven controller tests: feed (time, input) rows and assert the exact commands each row
/// produces, in order. Also builders for the inputs the rows use.
/// </summary>
internal static class Table
{
    public static readonly NodeId N0 = new(0);
    public static readonly NodeId N1 = new(1);
    public static readonly NodeId N2 = new(2);

    public static Instant S(double seconds) => Instant.Start + Duration.FromSecondsRounded(seconds);

    public sealed record Row(Instant At, ControllerInput Input, params ControllerCommand[] Expected);

    public static void Run(IHaController controller, params Row[] rows)
    {
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            controller.Step(row.At, row.Input);
            var actual = new List<ControllerCommand>();
            while (controller.TryTakeCommand(out var command))
            {
                actual.Add(command);
            }
            Assert.True(row.Expected.SequenceEqual(actual),
                $"row {i} ({row.At} {row.Input}):\n expected [{string.Join(", ", row.Expected.AsEnumerable())}]\n actual   [{string.Join(", ", actual)}]\n state: {controller.State.LastMessage}");
        }
    }

    public static FailoverController Controller(FailoverSettings? settings = null, NodeId? self = null) =>
        new(self ?? N0, "n" + (self ?? N0).Value, settings ?? new FailoverSettings());

    public static MemberInfo Member(NodeId id, long lsn = 100, MemberTags? tags = null, long timeline = 1) =>
        new(id, "n" + id.Value, new Lsn((ulong)lsn), new Term(timeline), tags ?? MemberTags.Default);

    public static ClusterView View(NodeId? leader, long? optime = 100, SyncRecord? sync = null, long? timeline = null, NodeSet? failsafe = null, params MemberInfo[] members) =>
        new(leader is { } l ? new LeaderKey(l, 1) : null, optime is { } o ? new Lsn((ulong)o) : null, sync,
            timeline is { } t ? new Term(t) : null, members.Length == 0 ? [Member(N0), Member(N1), Member(N2)] : members, failsafe);

    public static DcsResult Read(long request, ClusterView view) => new(new RequestId(request), new ClusterRead(view));
    public static DcsResult Wrote(long request, bool ok = true) => new(new RequestId(request), new WriteResult(ok));
    public static DcsResult Down(long request) => new(new RequestId(request), new DcsUnavailable("connection refused"));

    public static DatabaseStatus Primary(long wal = 100, long timeline = 1, params StandbyReplication[] standbys) =>
        DatabaseStatus.Primary(new Lsn((ulong)wal), new Term(timeline), standbys);
    public static DatabaseStatus Replica(long received = 100, NodeId? following = null, long timeline = 1) =>
        DatabaseStatus.Replica(new Lsn((ulong)received), new Term(timeline), following);

    public static PeerStatus Peer(long request, NodeId peer, long wal, bool primary = false, int priority = 1, long timeline = 1, bool noFailover = false) =>
        new(new RequestId(request), peer, new PeerReport(primary, new Lsn((ulong)wal), new Term(timeline), noFailover, false, priority));
    public static PeerStatus NoAnswer(long request, NodeId peer) => new(new RequestId(request), peer, null);

    // Commands.
    public static readonly QueryDatabase QueryDb = new();
    public static DcsRequest Dcs(long request, DcsOperation op) => new(new RequestId(request), op);
    public static SetTimer Deadline(double at) => new(TimerId.DcsDeadline, S(at));
    public static SetTimer Loop(double at) => new(TimerId.Loop, S(at));
    public static QueryPeer Query(long request, NodeId peer) => new(new RequestId(request), peer, FailoverSettings.PeerQueryTimeout);
    public static readonly GetCluster Get = new();
    public static UpdateLeader Update(long optime, NodeSet? failsafe = null) => new(Duration.FromSeconds(30), new Lsn((ulong)optime), failsafe);
    public static readonly AcquireLeader Acquire = new(Duration.FromSeconds(30));

    public static DcsRequest Touch(long request, DatabaseStatus db, NodeId? self = null) =>
        Dcs(request, new TouchMember(new MemberInfo(self ?? N0, "n" + (self ?? N0).Value, db.LastOperation, db.Timeline, MemberTags.Default)));

    /// <summary>The three commands every cycle opens with.</summary>
    public static ControllerCommand[] CycleStart(long request, double at, double retryTimeout = 10) =>
        [QueryDb, Deadline(at + retryTimeout), Dcs(request, Get)];
}
