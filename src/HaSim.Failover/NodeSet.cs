using HaSim.Primitives;
using System.Collections;

namespace HaSim.Failover;

/// <summary>
/// An immutable set of nodes kept sorted by id, with value equality: iteration order is the id
/// order, never hash order (DESIGN.md, rule 5), and two sets with the same members are equal,
/// which keeps the records that carry one comparable.
/// </summary>
public sealed class NodeSet : IReadOnlyList<NodeId>, IEquatable<NodeSet>
{
    private readonly NodeId[] _ids;

    public static readonly NodeSet Empty = new([]);

    private NodeSet(NodeId[] sortedDistinct) => _ids = sortedDistinct;

    public static NodeSet Of(params IEnumerable<NodeId> ids)
    {
        // A set holds a handful of nodes and the controller builds several every HA cycle: inserting
        // into a sorted list costs less than Distinct().Order() and its hash set and sort buffer.
        var sorted = new List<NodeId>(ids is IReadOnlyCollection<NodeId> known ? known.Count : 4);
        foreach (var id in ids)
        {
            var at = sorted.BinarySearch(id);
            if (at < 0)
            {
                sorted.Insert(~at, id);
            }
        }
        return sorted.Count == 0 ? Empty : new NodeSet([.. sorted]);
    }

    public int Count => _ids.Length;
    public NodeId this[int index] => _ids[index];
    public bool IsEmpty => _ids.Length == 0;

    public bool Contains(NodeId id) => Array.BinarySearch(_ids, id) >= 0;
    public NodeSet Intersect(NodeSet other) => Of(_ids.Where(other.Contains));
    public NodeSet Union(NodeSet other) => Of(_ids.Concat(other._ids));
    public NodeSet Except(NodeSet other) => Of(_ids.Where(id => !other.Contains(id)));
    public NodeSet Without(NodeId id) => Of(_ids.Where(x => x != id));

    public IEnumerator<NodeId> GetEnumerator() => ((IEnumerable<NodeId>)_ids).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(NodeSet? other) => other is not null && _ids.AsSpan().SequenceEqual(other._ids);
    public override bool Equals(object? obj) => Equals(obj as NodeSet);

    // Built from the ids' integer values, so it is the same in every process.
    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var id in _ids)
        {
            hash = unchecked((hash * 31) + id.Value);
        }
        return hash;
    }

    public override string ToString() => "{" + string.Join(",", _ids) + "}";
}
