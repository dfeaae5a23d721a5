using System.CommandLine;
using System.Runtime.InteropServices;
using HaSim.Agent;

namespace HaSim.Cli;

/// <summary>
/// <c>hasim agent --config node.yaml</c>: the failover controller in production, one agent per
/// database node, driving the node's PostgreSQL through etcd (see HaSim.Agent). Runs until
/// SIGINT or SIGTERM; leaves PostgreSQL running when it stops.
/// </summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "The agent's configuration file (YAML): this node, the cluster's members, etcd, PostgreSQL and Patroni's settings.", Required = true };
        var command = new Command("agent", "Run the failover controller for one real PostgreSQL node against a real etcd (Patroni's HA loop, the same code the simulator runs).")
        {
            config,
        };
        command.SetAction(parse =>
        {
            AgentConfig loaded;
            try
            {
                loaded = AgentConfigReader.LoadFile(parse.GetValue(config)!);
            }
            catch (AgentConfigException e)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return CliErrors.BadInput;
            }
            using var stop = new CancellationTokenSource();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
            using var log = new AsyncLog(Console.Out);
            using var host = new AgentHost(loaded, TimeProvider.System, log.Write);
            try
            {
                host.RunAsync(stop.Token).GetAwaiter().GetResult();
            }
            catch (System.Net.HttpListenerException e)
            {
                Console.Error.WriteLine($"error: the REST API cannot listen on {loaded.RestApiListen}: {e.Message}");
                return 1;
            }
            return 0;
        });
        return command;
    }
}
