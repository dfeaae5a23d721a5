namespace HaSim.Experiments.Loading;

/// <summary>"Did you mean" suggestions for misspelt keys, enum words and names.</summary>
internal static class Spelling
{
    /// <summary>Edits beyond this suggest a different word rather than a typo.</summary>
    private const int MaxDistance = 2;

    /// <summary>
    /// The allowed word closest to <paramref name="word"/> within <see cref="MaxDistance"/> edits
    /// (the first in <paramref name="allowed"/>'s order on a tie, so messages are deterministic), or null.
    /// </summary>
    public static string? Closest(string word, IEnumerable<string> allowed)
    {
        string? best = null;
        var bestDistance = MaxDistance + 1;
        foreach (var candidate in allowed)
        {
            var distance = Distance(word, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary><c> (did you mean 'x'?)</c>, or nothing when no allowed word is close.</summary>
    public static string Hint(string word, IEnumerable<string> allowed) =>
        Closest(word, allowed) is { } closest ? $" (did you mean '{closest}'?)" : "";

    /// <summary>Levenshtein distance (insertions, deletions, substitutions), ordinal.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
