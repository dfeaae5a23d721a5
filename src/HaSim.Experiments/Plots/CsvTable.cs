using System.Globalization;
using System.Text;

namespace HaSim.Experiments.Plots;

/// <summary>One record of a CSV file: its fields and the line it starts on (1-based, the header is line 1).</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields)
{
    public string this[int column] => Fields[column];
}

/// <summary>
/// A CSV file read whole, per RFC 4180: comma-separated, the first record is the header, fields
/// containing commas, quotes or line breaks are double-quoted with <c>""</c> for a quote; LF or
/// CRLF line ends; blank lines are skipped. Errors name the file and line.
/// </summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string file, IReadOnlyList<string> header, IReadOnlyList<CsvRecord> rows, Dictionary<string, int> columns)
    {
        File = file;
        Header = header;
        Rows = rows;
        _columns = columns;
    }

    /// <summary>The file as the user named it, for messages.</summary>
    public string File { get; }

    public IReadOnlyList<string> Header { get; }

    public IReadOnlyList<CsvRecord> Rows { get; }

    public static CsvTable Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new PlotInputException($"{path}: is a directory; expected a CSV file");
        }
        if (!System.IO.File.Exists(path))
        {
            throw new PlotInputException($"{path}: no such file");
        }
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PlotInputException($"{path}: cannot be read: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Parses CSV text; <paramref name="file"/> names it in messages.</summary>
    public static CsvTable Parse(string text, string file)
    {
        var records = Records(text, file);
        if (records.Count == 0)
        {
            throw new PlotInputException($"{file}: is empty; expected a header line of column names");
        }
        var header = records[0].Fields;
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim();
            if (name.Length == 0)
            {
                throw new PlotInputException(string.Create(CultureInfo.InvariantCulture, $"{file}:1: column {i + 1} has no name"));
            }
            if (!columns.TryAdd(name, i))
            {
                throw new PlotInputException($"{file}:1: column '{name}' appears twice");
            }
        }
        var rows = new List<CsvRecord>(records.Count - 1);
        for (var r = 1; r < records.Count; r++)
        {
            var record = records[r];
            if (record.Fields.Count != header.Count)
            {
                throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{file}:{record.Line}: {record.Fields.Count} fields, but the header has {header.Count} columns"));
            }
            rows.Add(record);
        }
        return new CsvTable(file, header.Select(h => h.Trim()).ToArray(), rows, columns);
    }

    /// <summary>The index of a column, or -1.</summary>
    public int Column(string name) => _columns.TryGetValue(name, out var i) ? i : -1;

    /// <summary>The index of a column that must exist.</summary>
    public int RequireColumn(string name, string expectedFrom)
    {
        var i = Column(name);
        if (i < 0)
        {
            throw new PlotInputException($"{File}: no column '{name}'{PlotSpelling.Hint(name, Header)}; expected a file written by {expectedFrom} (columns found: {PlotSpelling.List(Header)})");
        }
        return i;
    }

    /// <summary>A numeric cell: null when empty (not applicable), an error naming line and column when not a number.</summary>
    public double? Number(CsvRecord row, int column)
    {
        var text = row[column].Trim();
        if (text.Length == 0)
        {
            return null;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                $"{File}:{row.Line}: column '{Header[column]}': '{text}' is not a number"));
        }
        return value;
    }

    /// <summary>A numeric cell that must be present.</summary>
    public double RequireNumber(CsvRecord row, int column) =>
        Number(row, column) ?? throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
            $"{File}:{row.Line}: column '{Header[column]}' is empty; expected a number"));

    private static List<CsvRecord> Records(string text, string file)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            i = 1;
        }
        var fieldStarted = false; // the record has content (so a blank line is not a record)
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"' && field.Length == 0)
            {
                // A quoted field: up to the closing quote, "" is a quote, line breaks are data.
                var quoteLine = line;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                            $"{file}:{quoteLine}: a quoted field is not closed; expected a closing \""));
                    }
                    var q = text[i];
                    if (q == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (q == '\n')
                    {
                        line++;
                    }
                    field.Append(q);
                    i++;
                }
                fieldStarted = true;
                if (i < text.Length && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                {
                    throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                        $"{file}:{line}: '{text[i]}' after a closing quote; expected a comma or the end of the line"));
                }
                continue;
            }
            switch (c)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    i++;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    i++;
                    break;
                case '\n' or '\r':
                    EndRecord();
                    line++;
                    recordLine = line;
                    i++;
                    break;
                case '"':
                    throw new PlotInputException(string.Create(CultureInfo.InvariantCulture,
                        $"{file}:{line}: a quote inside an unquoted field; quote the whole field and double the quote (\"\")"));
                default:
                    field.Append(c);
                    fieldStarted = true;
                    i++;
                    break;
            }
        }
        EndRecord();
        return records;

        void EndRecord()
        {
            if (fieldStarted || field.Length > 0)
            {
                fields.Add(field.ToString());
                records.Add(new CsvRecord(recordLine, fields.ToArray()));
            }
            fields.Clear();
            field.Clear();
            fieldStarted = false;
        }
    }
}
