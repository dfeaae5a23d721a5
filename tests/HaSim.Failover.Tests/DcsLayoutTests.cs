using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Failover.Tests;

public class DcsLayoutTests
{
    private static readonly DcsLayout Layout = new("lesson", ["pg1", "pg2", "pg3"]);
    private static readonly NodeId Pg1 = new(0), Pg2 = new(1), Pg3 = new(2);

    [Fact]
    public void KeysFollowPatronisLayout()
    {
        Assert.Equal("/service/lesson/leader", Layout.LeaderKey);
        Assert.Equal("/service/lesson/members/pg2", Layout.MemberKey(Pg2));
        Assert.Equal("/service/lesson/sync", Layout.SyncKey);
        Assert.Equal("pg1", Layout.LeaderValue(Pg1));
        Assert.Equal("""{"leader":"pg1","sync_standby":"pg2,pg3"}""", Layout.SyncValue(Pg1, NodeSet.Of(Pg3, Pg2)));
        Assert.Equal("""{"optime":4096}""", Layout.StatusValue(new Lsn(4096)));
    }

    [Fact]
    public void WhatIsWrittenReadsBackAsTheClusterView()
    {
        var pg2 = new MemberInfo(Pg2, "pg2", new Lsn(900), new Term(3), new MemberTags(NoFailover: true, FailoverPriority: 0));
        var pg1 = new MemberInfo(Pg1, "pg1", new Lsn(1000), new Term(3), MemberTags.Default);
        var view = Layout.Read(
        [
            new(Layout.MemberKey(Pg2), Layout.MemberValue(pg2), 7),
            new(Layout.LeaderKey, Layout.LeaderValue(Pg1), 12),
            new(Layout.StatusKey, Layout.StatusValue(new Lsn(1000)), 13),
            new(Layout.SyncKey, Layout.SyncValue(Pg1, NodeSet.Of(Pg2)), 9),
            new(Layout.HistoryKey, Layout.HistoryValue(new Term(3)), 5),
            new(Layout.FailsafeKey, Layout.FailsafeValue(NodeSet.Of(Pg1, Pg2)), 14),
            new(Layout.MemberKey(Pg1), Layout.MemberValue(pg1), 8),
        ]);
        Assert.Equal(new LeaderKey(Pg1, 12), view.Leader);
        Assert.Equal(new Lsn(1000), view.LastLeaderOptime);
        Assert.Equal(new SyncRecord(Pg1, NodeSet.Of(Pg2), 9), view.Sync);
        Assert.Equal(new Term(3), view.Timeline);
        Assert.Equal(NodeSet.Of(Pg1, Pg2), view.Failsafe);
        Assert.Equal([pg1, pg2], view.Members); // sorted by id
    }

    /// <summary>
    /// Reads reuse the last parse of a key while its value is unchanged: a changed value, or one
    /// that no longer parses, must read as itself, never as the value before it.
    /// </summary>
    [Fact]
    public void EachReadSeesTheValuesAsTheyAreNow()
    {
        var layout = new DcsLayout("lesson", ["pg1", "pg2", "pg3"]);
        MemberInfo Member(long lsn) => new(Pg2, "pg2", new Lsn((ulong)lsn), new Term(1), MemberTags.Default);
        ClusterView Read(string status, string member) =>
            layout.Read([new(layout.StatusKey, status, 1), new(layout.MemberKey(Pg2), member, 2)]);

        var first = Read(layout.StatusValue(new Lsn(100)), layout.MemberValue(Member(100)));
        var again = Read(layout.StatusValue(new Lsn(100)), layout.MemberValue(Member(100)));
        var moved = Read(layout.StatusValue(new Lsn(200)), layout.MemberValue(Member(300)));
        var broken = Read("{not json", "{not json");

        Assert.Equal(new Lsn(100), first.LastLeaderOptime);
        Assert.Equal([Member(100)], first.Members);
        Assert.Equal(first.LastLeaderOptime, again.LastLeaderOptime);
        Assert.Equal(first.Members, again.Members);
        Assert.Equal(new Lsn(200), moved.LastLeaderOptime);
        Assert.Equal([Member(300)], moved.Members);
        Assert.Null(broken.LastLeaderOptime);
        Assert.Empty(broken.Members);
    }

    [Fact]
    public void ANodeWithoutAMemberKeyKeepsItsNameInSynchronousStandbyNames()
    {
        // /sync names pg2, whose member key expired (it was cut off from etcd): strict mode keeps
        // it as the synchronous standby, and PostgreSQL must be told "pg2", not an internal id.
        var view = Layout.Read([new(Layout.SyncKey, Layout.SyncValue(Pg1, NodeSet.Of(Pg2)), 9)]);
        Assert.Empty(view.Members);
        Assert.Equal("pg2", view.NameOf(Pg2)); // what synchronous_standby_names and the log use
    }

    [Fact]
    public void WhatCannotBeReadIsLeftOutNotFatal()
    {
        var view = Layout.Read(
        [
            new(Layout.LeaderKey, "pg9", 1),                               // not a node of this cluster
            new(Layout.StatusKey, "not json", 2),
            new("/service/lesson/members/stranger", """{"lsn":1}""", 3),
            new("/service/other/leader", "pg1", 4),                        // another cluster's key
        ]);
        Assert.Null(view.Leader);
        Assert.Null(view.LastLeaderOptime);
        Assert.Empty(view.Members);
    }

    [Fact]
    public void AnEmptyReadIsALeaderlessClusterWithNoMembers()
    {
        var view = Layout.Read([]);
        Assert.Null(view.Leader);
        Assert.Null(view.Sync);
        Assert.Empty(view.Members);
    }
}
