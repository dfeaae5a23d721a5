using System.Globalization;

namespace HaSim.Experiments.Loading;

/// <summary>
/// A model file that cannot be loaded: a YAML syntax error, or a value the format does not
/// allow. The message is one line, <c>file:line:column: reason</c>, ready to print as it is
/// (the CLI prints it without a stack trace and exits with code 2).
/// </summary>
public sealed class ModelLoadException : Exception
{
    public ModelLoadException(string file, int line, int column, string reason)
        : base(Format(file, line, column, reason))
    {
        File = file;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file (or source name) the model came from.</summary>
    public string File { get; }

    /// <summary>The 1-based line of the offending text; 0 when the problem concerns the whole file (it cannot be read).</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the offending text; 0 together with <see cref="Line"/>.</summary>
    public int Column { get; }

    /// <summary>What is wrong and what is allowed, without the position.</summary>
    public string Reason { get; }

    private static string Format(string file, int line, int column, string reason) =>
        line == 0
            ? $"{file}: {reason}"
            : string.Create(CultureInfo.InvariantCulture, $"{file}:{line}:{column}: {reason}");
}
