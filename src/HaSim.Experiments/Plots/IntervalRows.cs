namespace HaSim.Experiments.Plots;

/// <summary>
/// Rows for intervals that must not overlap within a row (faults in a timeline figure, fault
/// lanes in a Chrome trace). Given intervals in order of start, taking the first row free at each
/// start uses as few rows as the most intervals overlapping at one instant.
/// </summary>
internal static class IntervalRows
{
    /// <summary>
    /// The first row in <paramref name="freeFrom"/> (each row's end so far) free at
    /// <paramref name="from"/>, or a new row; the row is then taken until <paramref name="to"/>.
    /// </summary>
    public static int Take<T>(List<T> freeFrom, T from, T to) where T : IComparable<T>
    {
        var row = freeFrom.FindIndex(f => f.CompareTo(from) <= 0);
        if (row < 0)
        {
            freeFrom.Add(to);
            return freeFrom.Count - 1;
        }
        freeFrom[row] = to;
        return row;
    }
}
