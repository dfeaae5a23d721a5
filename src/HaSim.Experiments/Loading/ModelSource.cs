using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Loading;

/// <summary>
/// The text of one model file and its name: turns YAML positions into <see cref="ModelLoadException"/>s,
/// and finds where a character of a scalar's value sits in the file.
/// </summary>
internal sealed class ModelSource(string name, string text)
{
    public ModelLoadException Error(Mark mark, string reason) =>
        new(name, (int)mark.Line, (int)mark.Column, reason);

    /// <summary>
    /// The position of the character at <paramref name="offset"/> in <paramref name="scalar"/>'s
    /// value, so an error found by a value parser (a distribution's unknown parameter) points at
    /// the exact column. That is only possible when the value is written verbatim on one line: a
    /// folded multi-line scalar or a quoted one with escapes no longer lines up with its value,
    /// and then the scalar's own start is the best position there is.
    /// </summary>
    public Mark Locate(YamlScalarNode scalar, int offset)
    {
        var start = (int)scalar.Start.Index;
        var end = (int)scalar.End.Index;
        if (start < 0 || end > text.Length || end < start)
        {
            return scalar.Start;
        }
        var written = text.AsSpan(start, end - start);
        var value = scalar.Value ?? "";
        var closing = scalar.Style switch
        {
            ScalarStyle.SingleQuoted => "'",
            ScalarStyle.DoubleQuoted => "\"",
            _ => "",
        };
        // The written form may begin with a tag (!!str) or an anchor (&a), so match from the end.
        var verbatim = closing + value + closing;
        if (written.Contains('\n') || !written.EndsWith(verbatim, StringComparison.Ordinal))
        {
            return scalar.Start;
        }
        var column = written.Length - verbatim.Length + closing.Length + offset;
        return new Mark(scalar.Start.Index + column, scalar.Start.Line, scalar.Start.Column + column);
    }
}
