namespace HaSim.Model.Dcs;

/// <summary>
/// How a request entering at <paramref name="Via"/> gets committed: forwarded to <paramref name="Leader"/>
/// (itself when equal), which needs acknowledgements from <see cref="AcksNeeded"/> of
/// <paramref name="Followers"/> (the up members it is connected to, by index) before the commit: its own
/// write plus those acks are the <paramref name="QuorumSize"/>. Which followers answer first is the
/// host's latency sampling.
/// </summary>
public sealed record RoutePlan(int Via, int Leader, long Term, IReadOnlyList<int> Followers, int QuorumSize)
{
    public int AcksNeeded => QuorumSize - 1;
}
