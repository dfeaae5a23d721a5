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
        var builder = new Builder(maxListed);
        foreach (var commit in commits)
        {
            builder.Add(commit);
        }
        return builder.Build();
    }

    private static int ByOutcomeThenId(CommitRecord a, CommitRecord b) =>
        a.OutcomeAt != b.OutcomeAt ? a.OutcomeAt.CompareTo(b.OutcomeAt) : a.Id.CompareTo(b.Id);

    /// <summary>
    /// Collects a set one commit at a time: exact totals, and only the first commits by (outcome
    /// time, id), at most the listing limit, in a bounded max-heap. A run's maybe-lost writes can
    /// be tens of thousands; keeping and sorting them all cost more than the check itself.
    /// </summary>
    public sealed class Builder
    {
        private readonly int maxListed;
        private readonly List<CommitRecord> kept = []; // a max-heap by (outcome time, id)
        private int count;
        private long bytes;
        private Instant? first;
        private Instant? last;

        public Builder(int maxListed)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxListed);
            this.maxListed = maxListed;
        }

        public void Add(in CommitRecord commit)
        {
            count++;
            bytes = checked(bytes + commit.SizeBytes);
            first = first is { } f && f <= commit.OutcomeAt ? f : commit.OutcomeAt;
            last = last is { } l && l >= commit.OutcomeAt ? l : commit.OutcomeAt;
            if (kept.Count < maxListed)
            {
                kept.Add(commit);
                SiftUp(kept.Count - 1);
            }
            else if (maxListed > 0 && ByOutcomeThenId(commit, kept[0]) < 0)
            {
                kept[0] = commit;
                SiftDown(0);
            }
        }

        public CommitSet Build()
        {
            if (count == 0)
            {
                return Empty;
            }
            var listed = kept.ToArray();
            Array.Sort(listed, ByOutcomeThenId);
            return new CommitSet(count, bytes, first, last, listed);
        }

        private void SiftUp(int i)
        {
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (ByOutcomeThenId(kept[i], kept[parent]) <= 0)
                {
                    return;
                }
                (kept[i], kept[parent]) = (kept[parent], kept[i]);
                i = parent;
            }
        }

        private void SiftDown(int i)
        {
            while (true)
            {
                var largest = i;
                foreach (var child in (ReadOnlySpan<int>)[2 * i + 1, 2 * i + 2])
                {
                    if (child < kept.Count && ByOutcomeThenId(kept[child], kept[largest]) > 0)
                    {
                        largest = child;
                    }
                }
                if (largest == i)
                {
                    return;
                }
                (kept[i], kept[largest]) = (kept[largest], kept[i]);
                i = largest;
            }
        }
    }

    /// <summary>E.g. <c>12 commits, 14kB, acknowledged over 250ms</c>.</summary>
    public override string ToString() =>
        Count == 0 ? "none" : $"{Text.Count(Count, "commit")}, {ByteText.FormatSize(Bytes)}, over {Span}";
}
