using System.Text;

namespace HaSim.Experiments.Sweeps;

/// <summary>
/// CSV for files whose columns depend on the experiment (its parameters): RFC 4180 quoting, "\n"
/// line ends, invariant text as given. The fixed-schema files use CsvHelper's generated writers.
/// </summary>
internal static class CsvText
{
    public static void AppendRow(StringBuilder text, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                text.Append(',');
            }
            first = false;
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                text.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                text.Append(field);
            }
        }
        text.Append('\n');
    }

    /// <summary>Writes through a temporary file and a rename, so a reader never sees half a file.</summary>
    public static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
    }
}
