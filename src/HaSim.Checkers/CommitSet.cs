using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>
/// A set of commits a checker reports (lost, maybe lost, on the losing side, missing at a
/// promotion): exact totals, and the first <see cref="Listed"/> of them in the order the clients
/// learned their outcomes (then by id), bounded so repro output stays readable.
/// </summary>
public sealed class CommitSet
{
    private readonly CommitRecord[] listed;

    private CommitSet(int count, long bytes, Instant? first, Instant? last, CommitRecord[] listed)
    {
        Count = count;
        Bytes = bytes;
        FirstOutcomeAt = first;
        LastOutcomeAt = last;
        this.listed = listed;
    }

    public static readonly CommitSet Empty = new(0, 0, null, null, []);

    public int Count { get; }

    /// <summary>Total WAL bytes.</summary>
    public long Bytes { get; }

    public Instant? FirstOutcomeAt { get; }
    public Instant? LastOutcomeAt { get; }

    /// <summary>From the first to the last outcome time: the span of client time the set covers.</summary>
    public Duration Span => FirstOutcomeAt is { } first && LastOutcomeAt is { } last ? last - first : Duration.Zero;

    /// <summary>The first commits by (outcome time, id), at most the limit the set was made with.</summary>
    public IReadOnlyList<CommitRecord> Listed => listed;

    public bool IsTruncated => listed.Length < Count;

    public static CommitSet Of(IEnumerable<CommitRecord> commits, int maxListed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxListed);
        var all = commits.ToArray();
        if (all.Length == 0)
        {
            return Empty;
        }
        Array.Sort(all, static (a, b) => a.OutcomeAt != b.OutcomeAt ? a.OutcomeAt.CompareTo(b.OutcomeAt) : a.Id.CompareTo(b.Id));
        var bytes = 0L;
        foreach (var commit in all)
        {
            bytes = checked(bytes + commit.SizeBytes);
        }
        return new CommitSet(all.Length, bytes, all[0].OutcomeAt, all[^1].OutcomeAt, all.Length <= maxListed ? all : all[..maxListed]);
    }

    /// <summary>E.g. <c>12 commits, 14kB, acknowledged over 250ms</c>.</summary>
    public override string ToString() =>
        Count == 0 ? "none" : $"{Text.Count(Count, "commit")}, {ByteText.FormatSize(Bytes)}, over {Span}";
}
