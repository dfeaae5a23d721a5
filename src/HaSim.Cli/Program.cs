using System.CommandLine;
using HaSim.Cli;

var root = new RootCommand("HaSim: a deterministic discrete-event simulator of database high-availability topologies.");
root.Subcommands.Add(QueueCommand.Create());
return root.Parse(args).Invoke();
