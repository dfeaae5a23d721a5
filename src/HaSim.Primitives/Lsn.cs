using System.Globalization;

namespace HaSim.Primitives;

/// <summary>
/// A WAL position in bytes, as PostgreSQL's pg_lsn: printed as two hexadecimal halves, <c>0/16B3748</c>.
/// The difference of two LSNs is a byte count (what pg_wal_lsn_diff returns).
/// </summary>
public readonly record struct Lsn(ulong Bytes) : IComparable<Lsn>
{
    public static readonly Lsn Zero = new(0);

    public static Lsn operator +(Lsn lsn, long bytes) => new(checked((ulong)((long)lsn.Bytes + bytes)));
    public static long operator -(Lsn a, Lsn b) => checked((long)a.Bytes - (long)b.Bytes);
    public static bool operator <(Lsn a, Lsn b) => a.Bytes < b.Bytes;
    public static bool operator >(Lsn a, Lsn b) => a.Bytes > b.Bytes;
    public static bool operator <=(Lsn a, Lsn b) => a.Bytes <= b.Bytes;
    public static bool operator >=(Lsn a, Lsn b) => a.Bytes >= b.Bytes;

    public static Lsn Max(Lsn a, Lsn b) => a >= b ? a : b;
    public static Lsn Min(Lsn a, Lsn b) => a <= b ? a : b;

    public int CompareTo(Lsn other) => Bytes.CompareTo(other.Bytes);

    public override string ToString() =>
        (Bytes >> 32).ToString("X", CultureInfo.InvariantCulture) + "/" + (Bytes & 0xFFFF_FFFF).ToString("X", CultureInfo.InvariantCulture);

    /// <summary>Parses PostgreSQL's text form <c>hi/lo</c> (hexadecimal halves).</summary>
    public static Lsn Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1
            || !uint.TryParse(text.AsSpan(0, slash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hi)
            || !uint.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var lo))
        {
            throw new FormatException($"'{text}' is not an LSN; expected two hexadecimal halves such as 0/16B3748");
        }
        return new Lsn(((ulong)hi << 32) | lo);
    }
}
