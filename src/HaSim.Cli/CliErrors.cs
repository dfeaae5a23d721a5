using HaSim.Experiments.Loading;
using HaSim.Primitives;

namespace HaSim.Cli;

/// <summary>Bad input from the command line: reported in one line, exit code 2.</summary>
internal sealed class CliInputException(string message) : Exception(message);

/// <summary>Maps bad input to a clear message and exit code 2, never a stack trace.</summary>
internal static class CliErrors
{
    public const int BadInput = 2;

    public static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (ModelLoadException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return BadInput;
        }
        catch (CliInputException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return BadInput;
        }
        catch (HaSim.Experiments.Sweeps.SweepException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return BadInput;
        }
    }

    public static Duration PositiveDuration(string option, string text) => Duration(option, text, allowZero: false);

    public static Duration Duration(string option, string text, bool allowZero)
    {
        if (!Primitives.Duration.TryParse(text, out var value, out var error))
        {
            throw new CliInputException($"{option}: {error}");
        }
        if (value.IsNegative || (!allowZero && value.IsZero))
        {
            throw new CliInputException($"{option}: '{text}' must be {(allowZero ? "zero or positive" : "positive")}");
        }
        return value;
    }
}
