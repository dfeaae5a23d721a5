namespace HaSim.Kernel.Distributions;

/// <summary>
/// Why a distribution's text did not parse: the 0-based <paramref name="Column"/> in the text,
/// and a <paramref name="Reason"/> that says what was found and what was expected there. A model
/// loader adds the column to the position of the text in its file.
/// </summary>
public sealed record DistributionParseError(int Column, string Reason)
{
    /// <summary>The reason prefixed with its column: <c>at column 4: unknown parameter 'meen' for exp; ...</c></summary>
    public string Message => $"at column {Column}: {Reason}";

    public override string ToString() => Message;
}
