using System.Globalization;

namespace HaSim.Experiments.Plots;

/// <summary>
/// A CSV file that <c>hasim sweep</c> writes (runs.csv, stats.csv, latency_cdf.csv): <c>experiment</c>,
/// <c>config</c>, then one column per swept parameter up to a fixed column (<c>seed</c>,
/// <c>metric</c> or <c>latency_us</c>), then that file's own columns.
/// </summary>
public sealed class SweepTable
{
    private readonly int[] _parameterColumns;

    private SweepTable(CsvTable csv, int experiment, int config, int[] parameterColumns)
    {
        Csv = csv;
        ExperimentColumn = experiment;
        ConfigColumn = config;
        _parameterColumns = parameterColumns;
        Parameters = parameterColumns.Select(c => csv.Header[c]).ToArray();
    }

    public CsvTable Csv { get; }

    public string File => Csv.File;

    public int ExperimentColumn { get; }

    public int ConfigColumn { get; }

    /// <summary>The swept parameters, in column order.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>Reads a sweep CSV whose parameter columns end just before <paramref name="endColumn"/>.</summary>
    public static SweepTable Read(string path, string endColumn) => Open(CsvTable.Read(path), endColumn);

    public static SweepTable Open(CsvTable csv, string endColumn)
    {
        const string from = "hasim sweep";
        var experiment = csv.RequireColumn("experiment", from);
        var config = csv.RequireColumn("config", from);
        var end = csv.RequireColumn(endColumn, from);
        if (end <= config)
        {
            throw new PlotInputException($"{csv.File}: column '{endColumn}' comes before 'config'; expected the parameter columns between 'config' and '{endColumn}'");
        }
        var parameters = Enumerable.Range(config + 1, end - config - 1).ToArray();
        return new SweepTable(csv, experiment, config, parameters);
    }

    /// <summary>The column of a parameter, with the list of parameters and a spelling hint when it is unknown.</summary>
    public int ParameterColumn(string name, string option)
    {
        var i = Array.FindIndex(_parameterColumns, c => Csv.Header[c] == name);
        if (i < 0)
        {
            var known = Parameters.Count == 0 ? "the file has no parameter columns" : "parameters: " + PlotSpelling.List(Parameters);
            throw new PlotInputException($"{File}: {option}: no parameter '{name}'{PlotSpelling.Hint(name, Parameters)}; {known}");
        }
        return _parameterColumns[i];
    }

    /// <summary>The configuration index of a row.</summary>
    public int Config(CsvRecord row)
    {
        var text = row[ConfigColumn].Trim();
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var config))
        {
            throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                $"{File}:{row.Line}: column 'config': '{text}' is not a whole number"));
        }
        return config;
    }

    /// <summary>
    /// The rows that pass every <c>PARAM=VALUE</c> filter (filters on one parameter are alternatives,
    /// filters on different parameters all apply). An unknown parameter or value is an error.
    /// </summary>
    public IReadOnlyList<CsvRecord> Select(IReadOnlyList<string> where)
    {
        var filters = new List<(int Column, HashSet<string> Values)>();
        foreach (var w in where)
        {
            var eq = w.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new PlotInputException($"{File}: --where '{w}': expected PARAM=VALUE, e.g. design=first1");
            }
            var name = w[..eq].Trim();
            var value = w[(eq + 1)..].Trim();
            var column = ParameterColumn(name, "--where");
            var values = Distinct(Csv.Rows, column);
            if (!values.Contains(value, StringComparer.Ordinal))
            {
                throw new PlotInputException($"{File}: --where {name}={value}: no row has that value{PlotSpelling.Hint(value, values)}; values of '{name}': {PlotSpelling.List(values)}");
            }
            var existing = filters.FindIndex(f => f.Column == column);
            if (existing >= 0)
            {
                filters[existing].Values.Add(value);
            }
            else
            {
                filters.Add((column, new HashSet<string>(StringComparer.Ordinal) { value }));
            }
        }
        var rows = Csv.Rows.Where(r => filters.All(f => f.Values.Contains(r[f.Column]))).ToArray();
        if (rows.Length == 0)
        {
            throw new PlotInputException(where.Count == 0
                ? $"{File}: has no data rows"
                : $"{File}: no row matches all of --where {string.Join(" --where ", where)}");
        }
        return rows;
    }

    /// <summary>The parameters whose value differs between some of <paramref name="rows"/>, in column order.</summary>
    public IReadOnlyList<string> Varying(IReadOnlyList<CsvRecord> rows) =>
        _parameterColumns.Where(c => Distinct(rows, c).Count > 1).Select(c => Csv.Header[c]).ToArray();

    /// <summary>The value of a parameter in a row.</summary>
    public string Value(CsvRecord row, string parameter) => row[ParameterColumn(parameter, "parameter")];

    /// <summary><c>design=first1, network.cross_zone=const(500us)</c> for the given parameters.</summary>
    public string Label(CsvRecord row, IReadOnlyList<string> parameters) =>
        string.Join(", ", parameters.Select(p => $"{p}={Value(row, p)}"));

    /// <summary>The distinct values of a column in first-appearance order.</summary>
    public static IReadOnlyList<string> Distinct(IEnumerable<CsvRecord> rows, int column)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var values = new List<string>();
        foreach (var row in rows)
        {
            if (seen.Add(row[column]))
            {
                values.Add(row[column]);
            }
        }
        return values;
    }

    /// <summary>The experiment name(s) of the rows, for a default title.</summary>
    public string Experiment(IReadOnlyList<CsvRecord> rows) => string.Join(", ", Distinct(rows, ExperimentColumn));

    /// <summary>
    /// Orders parameter values for an axis or a legend: by number when every value reads as a
    /// quantity of one kind (10s before 30s, const(100us) before const(2ms)), else as they first appear.
    /// </summary>
    public static IReadOnlyList<string> Order(IReadOnlyList<string> values)
    {
        if (!Quantities.AllNumeric(values))
        {
            return values;
        }
        return values
            .Select((v, i) => (Value: v, Index: i, Number: Quantities.TryParse(v, out var q) ? q.Value : 0))
            .OrderBy(x => x.Number).ThenBy(x => x.Index)
            .Select(x => x.Value).ToArray();
    }
}
