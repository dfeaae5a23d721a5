using HaSim.Primitives;

namespace HaSim.Model.Dcs;

/// <summary>An etcd member: its index (0-based, dense, also its rank in elections), name and zone.</summary>
public sealed record DcsMember(int Index, string Name, ZoneId Zone);
