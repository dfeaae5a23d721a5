using System.Collections.Immutable;

namespace HaSim.Model.Dcs;

/// <summary>
/// The keys at one revision, immutable: what a member that stopped applying at that revision still
/// serves to serializable reads. Taking one costs nothing (the store's map is persistent).
/// </summary>
public sealed class DcsSnapshot
{
    private readonly ImmutableSortedDictionary<string, DcsKeyValue> _keys;

    internal DcsSnapshot(long revision, ImmutableSortedDictionary<string, DcsKeyValue> keys)
    {
        Revision = revision;
        _keys = keys;
    }

    public long Revision { get; }

    public DcsKeyValue? Get(string key) => _keys.TryGetValue(key, out var kv) ? kv : null;

    /// <summary>Keys starting with <paramref name="prefix"/>, in ordinal order.</summary>
    public IReadOnlyList<DcsKeyValue> GetPrefix(string prefix) => Range(_keys, prefix);

    /// <summary>Answers a read as a member holding this copy would.</summary>
    public RangeReply Read(DcsKvOperation read) => read switch
    {
        DcsGet get => new RangeReply(Revision, Get(get.Key) is { } kv ? [kv] : []),
        DcsGetPrefix prefix => new RangeReply(Revision, GetPrefix(prefix.Prefix)),
        _ => throw new ArgumentException($"{read} is not a read", nameof(read)),
    };

    internal static IReadOnlyList<DcsKeyValue> Range(ImmutableSortedDictionary<string, DcsKeyValue> keys, string prefix)
    {
        // The map is sorted ordinally, so the prefix's keys are one contiguous run; a linear scan
        // is enough for a Patroni cluster's few dozen keys.
        var found = new List<DcsKeyValue>();
        foreach (var (key, kv) in keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                found.Add(kv);
            }
            else if (found.Count > 0)
            {
                break;
            }
        }
        return found;
    }
}
