namespace HaSim.Experiments.Plots;

/// <summary>
/// Bad input to a plot: a missing file or column, an unknown parameter or metric, values that are
/// not numbers. The message is one line that names the file (and line or column when it helps)
/// and says what was expected; the CLI prints it and exits with code 2.
/// </summary>
public sealed class PlotInputException(string message) : Exception(message);
