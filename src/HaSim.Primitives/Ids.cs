namespace HaSim.Primitives;

// Ids are dense small integers so that per-entity state lives in arrays indexed by id, which
// keeps iteration order explicit and deterministic (DESIGN.md, rule 5). Names live in the model.

/// <summary>A database node (or any addressable host), by its index in the model.</summary>
public readonly record struct NodeId(int Value) : IComparable<NodeId>
{
    public int CompareTo(NodeId other) => Value.CompareTo(other.Value);
    public override string ToString() => "node" + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An availability zone, by its index in the model.</summary>
public readonly record struct ZoneId(int Value) : IComparable<ZoneId>
{
    public int CompareTo(ZoneId other) => Value.CompareTo(other.Value);
    public override string ToString() => "zone" + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A region, by its index in the model.</summary>
public readonly record struct RegionId(int Value) : IComparable<RegionId>
{
    public int CompareTo(RegionId other) => Value.CompareTo(other.Value);
    public override string ToString() => "region" + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A leadership term (a PostgreSQL timeline, a leader-key generation): increases by one at every
/// promotion, so a higher term always wins.
/// </summary>
public readonly record struct Term(long Value) : IComparable<Term>
{
    public static readonly Term Initial = new(1);
    public Term Next() => new(checked(Value + 1));
    public int CompareTo(Term other) => Value.CompareTo(other.Value);
    public static bool operator <(Term a, Term b) => a.Value < b.Value;
    public static bool operator >(Term a, Term b) => a.Value > b.Value;
    public static bool operator <=(Term a, Term b) => a.Value <= b.Value;
    public static bool operator >=(Term a, Term b) => a.Value >= b.Value;
    public override string ToString() => "term" + Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
