using HaSim.Model.Spec;

namespace HaSim.Experiments.Loading;

/// <summary>Reads <c>workload</c>: an open loop (rate), a closed loop (clients), or both, and what transactions do.</summary>
internal static class WorkloadReader
{
    private static readonly string[] WorkloadKeys =
        ["rate", "clients", "think_time", "transaction_size", "read_fraction", "reads_on"];

    private static readonly (string Word, ReadRouting Value)[] Routings =
    [
        ("primary", ReadRouting.Primary),
        ("replicas", ReadRouting.Replicas),
    ];

    public static WorkloadSpec Read(ModelNode workloadNode, Topology topology)
    {
        var mapping = workloadNode.AsMapping(WorkloadKeys);
        var rateNode = mapping.Optional("rate");
        var clientsNode = mapping.Optional("clients");
        var thinkTimeNode = mapping.Optional("think_time");
        if (rateNode is null && clientsNode is null)
        {
            throw workloadNode.Error("needs rate (open-loop transactions per second), clients (closed-loop clients, with think_time), or both");
        }
        var rate = rateNode?.ReadNumber(NumberRange.Positive);
        ClosedLoopSpec? closedLoop = null;
        if (clientsNode is not null)
        {
            var clients = (int)clientsNode.ReadInteger(1, int.MaxValue);
            if (thinkTimeNode is null)
            {
                throw clientsNode.Error("clients requires think_time, the latency distribution of each client's pause between transactions");
            }
            closedLoop = new ClosedLoopSpec(clients, thinkTimeNode.ReadLatency());
        }
        else if (thinkTimeNode is not null)
        {
            throw thinkTimeNode.Error("think_time applies only to closed-loop clients; add clients or remove think_time");
        }
        var transactionSize = mapping.Optional("transaction_size")?.ReadSizeDistribution() ?? ModelDefaults.TransactionSize;
        var readFraction = mapping.Optional("read_fraction")?.ReadNumber(NumberRange.Fraction) ?? ModelDefaults.ReadFraction;
        var readsOnNode = mapping.Optional("reads_on");
        var routing = readsOnNode?.ReadWord("read routing", Routings, StringComparison.Ordinal) ?? ModelDefaults.ReadRouting;
        if (routing == ReadRouting.Replicas && topology.WithRole(NodeRole.Standby).Count == 0)
        {
            throw readsOnNode!.Error("reads on replicas need at least one node with role standby, and there are none");
        }
        return new WorkloadSpec
        {
            OpenLoopRate = rate,
            ClosedLoop = closedLoop,
            TransactionSize = transactionSize,
            ReadFraction = readFraction,
            ReadRouting = routing,
        };
    }
}
