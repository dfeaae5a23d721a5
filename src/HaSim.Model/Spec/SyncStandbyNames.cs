using System.Globalization;

namespace HaSim.Model.Spec;

public enum SyncMethod
{
    /// <summary>Wait for the <c>k</c> highest-priority connected standbys, priority being list order.</summary>
    First,
    /// <summary>Quorum: wait for any <c>k</c> of the listed standbys.</summary>
    Any,
}

/// <summary>
/// PostgreSQL's synchronous_standby_names, in its own grammar:
/// <c>FIRST k (a, b)</c>, <c>ANY k (a, b, c)</c>, <c>k (a, b)</c> (same as FIRST), and a plain list
/// <c>a, b</c> (same as FIRST 1). A name <c>*</c> matches any standby; names may be double-quoted
/// and match application names case-insensitively, as in PostgreSQL.
/// </summary>
public sealed record SyncStandbyNames(SyncMethod Method, int Count, IReadOnlyList<string> Names)
{
    public const string Expected = "PostgreSQL's synchronous_standby_names: 'FIRST k (a, b)', 'ANY k (a, b, c)', 'k (a, b)' or a plain list 'a, b'; '*' matches any standby";

    /// <summary>True if <paramref name="standbyName"/> is listed (or <c>*</c> is), with its priority (0 is highest).</summary>
    public bool TryGetPriority(string standbyName, out int priority)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (Names[i] == "*" || string.Equals(Names[i], standbyName, StringComparison.OrdinalIgnoreCase))
            {
                priority = i;
                return true;
            }
        }
        priority = -1;
        return false;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Method == SyncMethod.First ? "FIRST" : "ANY")} {Count} ({string.Join(", ", Names.Select(Quote))})");

    private static string Quote(string name) =>
        name == "*" || name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Parses the setting; an empty text means no synchronous standbys (null).</summary>
    public static bool TryParse(string? text, out SyncStandbyNames? value, out string error)
    {
        value = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        var reader = new Reader(text);
        var method = SyncMethod.First;
        var count = 1;
        var parenthesized = false;

        reader.SkipSpace();
        var start = reader.Position;
        var word = reader.ReadWord();
        if (word.Equals("FIRST", StringComparison.OrdinalIgnoreCase) || word.Equals("ANY", StringComparison.OrdinalIgnoreCase))
        {
            method = word.Equals("ANY", StringComparison.OrdinalIgnoreCase) ? SyncMethod.Any : SyncMethod.First;
            reader.SkipSpace();
            if (!reader.TryReadCount(out count))
            {
                error = $"expected a number of synchronous standbys after {word.ToUpperInvariant()} at column {reader.Position + 1}; {Expected}";
                return false;
            }
            parenthesized = true;
        }
        else
        {
            reader.Position = start;
            if (reader.TryReadCount(out var k))
            {
                reader.SkipSpace();
                if (reader.Peek == '(')
                {
                    count = k;
                    parenthesized = true;
                }
                else
                {
                    reader.Position = start; // a plain list whose first name is numeric
                }
            }
        }
        if (count < 1)
        {
            error = $"the number of synchronous standbys must be at least 1 (got {count}); {Expected}";
            return false;
        }
        reader.SkipSpace();
        if (parenthesized && !reader.TryConsume('('))
        {
            error = $"expected '(' at column {reader.Position + 1}; {Expected}";
            return false;
        }
        var names = new List<string>();
        while (true)
        {
            reader.SkipSpace();
            if (!reader.TryReadName(out var name, out var nameError))
            {
                error = $"{nameError} at column {reader.Position + 1}; {Expected}";
                return false;
            }
            names.Add(name);
            reader.SkipSpace();
            if (!reader.TryConsume(','))
            {
                break;
            }
        }
        if (parenthesized && !reader.TryConsume(')'))
        {
            error = $"expected ',' or ')' at column {reader.Position + 1}; {Expected}";
            return false;
        }
        reader.SkipSpace();
        if (!reader.AtEnd)
        {
            error = $"unexpected '{text[reader.Position..]}' at column {reader.Position + 1}; {Expected}";
            return false;
        }
        if (count > names.Count && !names.Contains("*"))
        {
            error = $"{(method == SyncMethod.First ? "FIRST" : "ANY")} {count} needs at least {count} standby names, but {names.Count} are listed";
            return false;
        }
        value = new SyncStandbyNames(method, count, names);
        return true;
    }

    private sealed class Reader(string text)
    {
        public int Position { get; set; }
        public bool AtEnd => Position >= text.Length;
        public char Peek => AtEnd ? '\0' : text[Position];

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        public bool TryConsume(char c)
        {
            if (Peek != c)
            {
                return false;
            }
            Position++;
            return true;
        }

        public string ReadWord()
        {
            var start = Position;
            while (!AtEnd && char.IsAsciiLetter(text[Position]))
            {
                Position++;
            }
            return text[start..Position];
        }

        public bool TryReadCount(out int count)
        {
            var start = Position;
            while (!AtEnd && char.IsAsciiDigit(text[Position]))
            {
                Position++;
            }
            if (Position == start || !int.TryParse(text.AsSpan(start, Position - start), NumberStyles.None, CultureInfo.InvariantCulture, out count))
            {
                Position = start;
                count = 0;
                return false;
            }
            return true;
        }

        public bool TryReadName(out string name, out string error)
        {
            name = "";
            error = "";
            if (TryConsume('*'))
            {
                name = "*";
                return true;
            }
            if (TryConsume('"'))
            {
                var sb = new System.Text.StringBuilder();
                while (true)
                {
                    if (AtEnd)
                    {
                        error = "unterminated quoted name";
                        return false;
                    }
                    var c = text[Position++];
                    if (c == '"')
                    {
                        if (Peek == '"')
                        {
                            sb.Append('"');
                            Position++;
                            continue;
                        }
                        break;
                    }
                    sb.Append(c);
                }
                name = sb.ToString();
                if (name.Length == 0)
                {
                    error = "empty standby name";
                    return false;
                }
                return true;
            }
            var start = Position;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(text[Position]) || text[Position] is '_' or '-' or '.' or '$'))
            {
                Position++;
            }
            if (Position == start)
            {
                error = "expected a standby name";
                return false;
            }
            name = text[start..Position];
            return true;
        }
    }
}
