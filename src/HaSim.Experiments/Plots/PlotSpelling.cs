using HaSim.Experiments.Loading;

namespace HaSim.Experiments.Plots;

/// <summary>"Did you mean" hints for plot options, over the same edit distance the model loader uses.</summary>
public static class PlotSpelling
{
    /// <summary><c> (did you mean 'x'?)</c>, or nothing when no allowed word is close.</summary>
    /// <remarks>
    /// Beyond the model loader's typos, a name missing its unit suffix (<c>commit_latency_p99</c> for
    /// <c>commit_latency_p99_us</c>) points at the one allowed name that continues it with an underscore.
    /// </remarks>
    public static string Hint(string word, IEnumerable<string> allowed)
    {
        var words = allowed.ToArray();
        if (Spelling.Closest(word, words) is { } closest)
        {
            return $" (did you mean '{closest}'?)";
        }
        var longer = words.Where(w => word.Length > 0 && w.StartsWith(word + "_", StringComparison.Ordinal)).ToArray();
        return longer.Length == 1 ? $" (did you mean '{longer[0]}'?)" : "";
    }

    /// <summary>The allowed words, comma-separated, for "expected one of ..." messages.</summary>
    public static string List(IEnumerable<string> allowed) => string.Join(", ", allowed);
}
