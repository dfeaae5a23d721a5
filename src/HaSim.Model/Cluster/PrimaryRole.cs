using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>
/// What a node has while it runs as a primary: the commits waiting for acknowledgement, one
/// walsender view per other node (standbys connect to it by START_REPLICATION), and the rule
/// that says which standbys a commit waits for. A node gets a new one at each promotion; with
/// automatic failover two nodes can hold one at once (split brain), each accepting its own commits.
/// </summary>
internal sealed class PrimaryRole
{
    public PrimaryRole(NodeRuntime node, ReplicaView[] replicas, int nodeCount)
    {
        Node = node;
        Timeline = node.Timeline;
        Replicas = replicas;
        ViewOf = new ReplicaView?[nodeCount];
        foreach (var view in replicas)
        {
            ViewOf[view.Node.Value] = view;
        }
    }

    public NodeRuntime Node { get; }

    /// <summary>The timeline this primary writes (a promotion creates a new one).</summary>
    public Term Timeline { get; }

    /// <summary>Every node this primary may stream to, in node-id order.</summary>
    public ReplicaView[] Replicas { get; }

    /// <summary>The walsender view of each node by id; null for the primary itself.</summary>
    public ReplicaView?[] ViewOf { get; }

    public CommitQueue Commits { get; } = new();

    /// <summary>synchronous_standby_names over <see cref="Replicas"/>; null for asynchronous commit.</summary>
    public SyncRule? SyncRule { get; set; }

    /// <summary>
    /// Whether commits are still acknowledged: a shutdown (demotion or crash) ends the role at
    /// once, and the clients of the commits still waiting lose their connections.
    /// </summary>
    public bool Accepting { get; set; } = true;
}
