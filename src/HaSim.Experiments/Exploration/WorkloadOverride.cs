using System.Globalization;
using HaSim.Kernel.Distributions;
using HaSim.Model.Spec;
using YamlDotNet.RepresentationModel;

namespace HaSim.Experiments.Exploration;

/// <summary>
/// Workload settings a shrunk repro writes over the model's own (<c>workload.rate</c>,
/// <c>workload.clients</c>, <c>workload.transaction_size</c>); null members are left as the model has them.
/// </summary>
public sealed record WorkloadOverride(double? Rate, int? Clients, SizeDistribution? TransactionSize)
{
    /// <summary>What changed from <paramref name="original"/> to <paramref name="changed"/>, or null when nothing did.</summary>
    public static WorkloadOverride? Between(WorkloadSpec original, WorkloadSpec changed)
    {
        var rate = changed.OpenLoopRate is { } r && r != original.OpenLoopRate ? r : (double?)null;
        var clients = changed.ClosedLoop is { } c && c.Clients != original.ClosedLoop?.Clients ? c.Clients : (int?)null;
        var size = changed.TransactionSize.Text != original.TransactionSize.Text ? changed.TransactionSize : null;
        return rate is null && clients is null && size is null ? null : new WorkloadOverride(rate, clients, size);
    }

    /// <summary>Writes the overrides into the model's <c>workload</c> mapping.</summary>
    internal void Apply(YamlMappingNode root)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode("workload"), out var node) || node is not YamlMappingNode workload)
        {
            workload = new YamlMappingNode();
            root.Children[new YamlScalarNode("workload")] = workload;
        }
        if (Rate is { } rate)
        {
            workload.Children[new YamlScalarNode("rate")] = new YamlScalarNode(rate.ToString("R", CultureInfo.InvariantCulture));
        }
        if (Clients is { } clients)
        {
            workload.Children[new YamlScalarNode("clients")] = new YamlScalarNode(clients.ToString(CultureInfo.InvariantCulture));
        }
        if (TransactionSize is { } size)
        {
            workload.Children[new YamlScalarNode("transaction_size")] = new YamlScalarNode(size.Text);
        }
    }
}
