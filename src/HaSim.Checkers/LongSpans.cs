namespace HaSim.Checkers;

/// <summary>Sorting and selection for the long spans the checkers measure (times and gaps in nanoseconds).</summary>
internal static class LongSpans
{
    /// <summary>
    /// Sorts <paramref name="values"/> ascending, in time close to linear when they are nearly in
    /// order already, as a run's acknowledgement times are when read in write order (each write is
    /// acknowledged a few milliseconds after it starts, and only an outage's retries come late).
    /// An insertion sort that hands over to the general sort once it has moved more than a few
    /// elements per element: the result is the same either way.
    /// </summary>
    public static void SortNearlySorted(Span<long> values)
    {
        var budget = 8L * values.Length;
        for (var i = 1; i < values.Length; i++)
        {
            var value = values[i];
            var j = i - 1;
            if (values[j] <= value)
            {
                continue;
            }
            while (j >= 0 && values[j] > value)
            {
                values[j + 1] = values[j];
                j--;
            }
            values[j + 1] = value;
            budget -= i - 1 - j;
            if (budget < 0)
            {
                values.Sort();
                return;
            }
        }
    }

    /// <summary>
    /// The value that would be at index <paramref name="k"/> if <paramref name="values"/> were sorted,
    /// in expected linear time (Hoare's selection, median-of-three pivots); reorders the span.
    /// </summary>
    public static long Select(Span<long> values, int k)
    {
        if ((uint)k >= (uint)values.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(k), $"index {k} is outside a span of {values.Length}");
        }
        var lo = 0;
        var hi = values.Length - 1;
        while (hi - lo > 16)
        {
            var mid = lo + (hi - lo) / 2;
            // Median of three as the pivot: sorted input, the common case here, then splits evenly.
            if (values[mid] < values[lo])
            {
                (values[mid], values[lo]) = (values[lo], values[mid]);
            }
            if (values[hi] < values[lo])
            {
                (values[hi], values[lo]) = (values[lo], values[hi]);
            }
            if (values[hi] < values[mid])
            {
                (values[hi], values[mid]) = (values[mid], values[hi]);
            }
            var pivot = values[mid];
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }
                while (values[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            // Now values[lo..j] <= pivot <= values[i..hi], and anything between equals the pivot.
            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return values[k];
            }
        }
        values[lo..(hi + 1)].Sort();
        return values[k];
    }
}
