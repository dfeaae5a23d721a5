using HaSim.Checkers;
using HaSim.Primitives;

namespace HaSim.Checkers.Tests;

/// <summary>Short builders for hand-made histories: times in milliseconds, LSNs in bytes, timelines as numbers.</summary>
internal static class H
{
    public static readonly NodeId N0 = new(0), N1 = new(1), N2 = new(2);

    public static Instant Ms(long ms) => Instant.Start + Duration.FromMilliseconds(ms);
    public static Duration D(long ms) => Duration.FromMilliseconds(ms);
    public static Term T(long timeline) => new(timeline);
    public static Lsn L(ulong bytes) => new(bytes);

    public static WalPlacement At(NodeId node, long timeline, ulong lsn, long acceptedMs) => new(node, T(timeline), L(lsn), Ms(acceptedMs));

    /// <summary>Acknowledged 1 ms after it was accepted, submitted 1 ms before.</summary>
    public static CommitRecord Ack(long id, NodeId node, long timeline, ulong lsn, long acceptedMs, long size = 100) =>
        CommitRecord.Acknowledged(id, 0, At(node, timeline, lsn, acceptedMs), size, Ms(acceptedMs - 1), Ms(acceptedMs + 1));

    public static CommitRecord AckAt(long id, long ackMs, NodeId? node = null, long timeline = 1, ulong lsn = 1) =>
        CommitRecord.Acknowledged(id, 0, At(node ?? N0, timeline, lsn, ackMs), 100, Ms(ackMs), Ms(ackMs));

    public static CommitRecord Maybe(long id, NodeId node, long timeline, ulong lsn, long acceptedMs, long size = 100) =>
        CommitRecord.Unknown(id, 0, At(node, timeline, lsn, acceptedMs), size, Ms(acceptedMs - 1), Ms(acceptedMs + 1));

    public static RunHistoryBuilder Builder(params CommitRecord[] commits)
    {
        var builder = new RunHistoryBuilder();
        foreach (var commit in commits)
        {
            builder.RecordCommit(commit);
        }
        return builder;
    }

    /// <summary>A cluster that ends with <paramref name="primary"/> as the writable primary on <paramref name="timeline"/> with WAL up to <paramref name="walEnd"/>.</summary>
    public static RunHistory EndingWith(this RunHistoryBuilder builder, NodeId primary, long timeline, ulong walEnd, long endMs = 100_000)
    {
        builder.RecordRole(Ms(0), primary, NodeRole.Primary, T(timeline));
        builder.RecordWalEnd(primary, T(timeline), L(walEnd));
        return builder.Build(Ms(endMs));
    }
}
