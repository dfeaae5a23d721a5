namespace HaSim.Experiments.Plots;

/// <summary>Which parameters tell the series (lines, box colors) apart.</summary>
internal static class SeriesKeys
{
    /// <summary>
    /// The parameters named with --series (checked to exist and to differ from --x), then every other
    /// parameter that varies in <paramref name="rows"/>: points of one series then differ only in x.
    /// </summary>
    public static IReadOnlyList<string> Resolve(SweepTable table, IReadOnlyList<CsvRecord> rows, string x, IReadOnlyList<string> series)
    {
        var result = new List<string>();
        foreach (var s in series)
        {
            table.ParameterColumn(s, "--series");
            if (s == x)
            {
                throw new PlotInputException($"{table.File}: --series {s} is also the --x parameter; choose another parameter for the series");
            }
            if (!result.Contains(s, StringComparer.Ordinal))
            {
                result.Add(s);
            }
        }
        foreach (var v in table.Varying(rows))
        {
            if (v != x && !result.Contains(v, StringComparer.Ordinal))
            {
                result.Add(v);
            }
        }
        return result;
    }

    /// <summary>
    /// The distinct series of the rows as (label, rows), ordered by the first series parameter's
    /// values (numerically when they are numbers), then the next, and so on.
    /// </summary>
    public static IReadOnlyList<(string Label, IReadOnlyList<CsvRecord> Rows)> Group(SweepTable table, IReadOnlyList<CsvRecord> rows, IReadOnlyList<string> parameters)
    {
        var columns = parameters.Select(p => table.ParameterColumn(p, "--series")).ToArray();
        var orders = columns.Select(c => SweepTable.Order(SweepTable.Distinct(rows, c))).ToArray();
        var groups = new List<(int[] Rank, string Label, List<CsvRecord> Rows)>();
        foreach (var row in rows)
        {
            var rank = columns.Select((c, i) => IndexOf(orders[i], row[c])).ToArray();
            var group = groups.FindIndex(g => g.Rank.AsSpan().SequenceEqual(rank));
            if (group < 0)
            {
                groups.Add((rank, table.Label(row, parameters), [row]));
            }
            else
            {
                groups[group].Rows.Add(row);
            }
        }
        return groups
            .OrderBy(g => g.Rank, Comparer<int[]>.Create(CompareRanks))
            .Select(g => (g.Label, (IReadOnlyList<CsvRecord>)g.Rows))
            .ToArray();
    }

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }
        return -1;
    }

    private static int CompareRanks(int[]? a, int[]? b)
    {
        for (var i = 0; i < Math.Min(a!.Length, b!.Length); i++)
        {
            var c = a[i].CompareTo(b[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Length.CompareTo(b.Length);
    }
}
