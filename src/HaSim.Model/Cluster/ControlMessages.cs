using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Model.Cluster;

/// <summary>A message on the <see cref="ControlNetwork"/>, kept by id until it is delivered.</summary>
internal abstract record ControlMessage;

/// <summary>One attempt of an agent's DCS request, on its way to a DCS member. <paramref name="Incarnation"/> tells the answer apart from those to an agent that has since restarted (its request ids start again).</summary>
internal sealed record DcsAttemptMessage(NodeId Node, int Incarnation, RequestId Request, DcsOperation Operation) : ControlMessage;

/// <summary>A DCS member's answer to one attempt.</summary>
internal sealed record DcsAnswerMessage(NodeId Node, int Incarnation, RequestId Request, DcsOutcome Outcome) : ControlMessage;

/// <summary>An etcd watch event: the leader key changed (deleted or expired).</summary>
internal sealed record LeaderWatchMessage(NodeId Node) : ControlMessage;

/// <summary><c>GET /patroni</c> from one agent to another.</summary>
internal sealed record PeerQueryMessage(NodeId From, int Incarnation, NodeId To, RequestId Request) : ControlMessage;

/// <summary>A peer's answer; <paramref name="Report"/> is null when its machine refused the connection (the agent is not running).</summary>
internal sealed record PeerAnswerMessage(NodeId To, int Incarnation, NodeId Peer, RequestId Request, PeerReport? Report) : ControlMessage;

/// <summary><c>POST /failsafe</c> from a primary that lost the DCS.</summary>
internal sealed record FailsafePostMessage(NodeId From, int Incarnation, NodeId To, RequestId Request) : ControlMessage;

internal sealed record FailsafeAnswerMessage(NodeId To, int Incarnation, NodeId Peer, RequestId Request, bool Accepted) : ControlMessage;

internal enum ClientAnswer
{
    Committed,

    /// <summary>The node is not a primary (read-only, starting, shutting down): nothing was written.</summary>
    Rejected,

    /// <summary>The session was terminated while the commit waited: it may or may not have committed.</summary>
    ConnectionLost,
}

/// <summary>The proxy's health check of a node's <c>/primary</c> endpoint.</summary>
internal sealed record HealthCheckMessage(NodeId Server, long Check) : ControlMessage;

internal sealed record HealthAnswerMessage(NodeId Server, long Check, bool Passed) : ControlMessage;
