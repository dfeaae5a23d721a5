using System.CommandLine;
using HaSim.Cli;

var root = new RootCommand("HaSim: a deterministic discrete-event simulator of database high-availability topologies.");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(QueueCommand.Create());
root.Subcommands.Add(PlotCommand.Create());
root.Subcommands.Add(SweepCommand.Create());
root.Subcommands.Add(SweepCommand.CreateMerge());
root.Subcommands.Add(ExploreCommand.Create());
root.Subcommands.Add(ShrinkCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(AgentCommand.Create());
root.Subcommands.Add(PredictCommand.Create());
var result = root.Parse(args);
if (result.Errors.Count == 0 && result.CommandResult.Command != root)
{
    StartupJit.Profile(result.CommandResult.Command.Name);
}
// System.CommandLine reports unknown options and malformed arguments with exit code 1; bad input is 2 here.
return result.Errors.Count > 0 ? ReportParseErrors(result) : result.Invoke();

static int ReportParseErrors(ParseResult result)
{
    foreach (var error in result.Errors)
    {
        Console.Error.WriteLine("error: " + error.Message);
    }
    Console.Error.WriteLine("run 'hasim --help' for usage");
    return CliErrors.BadInput;
}
