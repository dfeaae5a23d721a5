using HaSim.Failover;
using HaSim.Primitives;

namespace HaSim.Agent;

/// <summary>A host and port, as written in the configuration (<c>127.0.0.1:5432</c>).</summary>
public sealed record Endpoint(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>
/// One member of the cluster as every agent knows it: its name (the DCS key and the
/// application_name its walreceiver uses), its REST API and its PostgreSQL. Every node's
/// configuration lists the same members in the same order: a member's position is its
/// <see cref="NodeId"/>, as in the simulator.
/// </summary>
public sealed record MemberAddress(string Name, Endpoint RestApi, Endpoint Postgres);

/// <summary>A PostgreSQL role the agent connects as.</summary>
public sealed record PostgresUser(string Username, string? Password);

/// <summary>How the agent reaches and controls its local PostgreSQL.</summary>
public sealed record PostgresConfig
{
    /// <summary>The data directory (<c>pg_ctl -D</c>).</summary>
    public required string DataDir { get; init; }

    /// <summary>Where pg_ctl, pg_rewind and postgres live (Debian: <c>/usr/lib/postgresql/15/bin</c>).</summary>
    public required string BinDir { get; init; }

    /// <summary>
    /// The system user that owns the data directory. When the agent runs as root, it runs pg_ctl and
    /// pg_rewind through <c>runuser -u USER --</c> and hands the files it writes to that user
    /// (PostgreSQL refuses to run as root). Null: run them as the agent's own user.
    /// </summary>
    public string? RunAs { get; init; }

    /// <summary>The role for status queries, promote and configuration (a superuser).</summary>
    public required PostgresUser Superuser { get; init; }

    /// <summary>The role standbys stream as (<c>primary_conninfo</c>).</summary>
    public required PostgresUser Replication { get; init; }

    /// <summary>Rewind a former primary before it follows the new one (Patroni's <c>use_pg_rewind</c>; needs wal_log_hints or data checksums).</summary>
    public bool UsePgRewind { get; init; } = true;

    /// <summary>The server log pg_ctl start writes (<c>pg_ctl -l</c>); default: <c>postgresql.log</c> in the data directory's parent.</summary>
    public string? LogFile { get; init; }

    /// <summary><c>pg_ctl -t</c> for start, stop and promote (Patroni's <c>pg_ctl_timeout</c>).</summary>
    public Duration PgCtlTimeout { get; init; } = Duration.FromSeconds(60);
}

/// <summary>The etcd cluster (v3 API through its JSON gateway).</summary>
public sealed record EtcdConfig
{
    /// <summary>Client URLs (<c>http://127.0.0.1:2379</c>); the agent moves to the next one after a failed request.</summary>
    public required IReadOnlyList<Uri> Hosts { get; init; }

    /// <summary>How long one request may take before the attempt counts as failed (the controller retries until retry_timeout).</summary>
    public Duration RequestTimeout { get; init; } = Duration.FromSeconds(2);
}

/// <summary>
/// One agent's configuration file (<c>hasim agent --config node.yaml</c>): who this node is, the
/// cluster's members, etcd, the local PostgreSQL and Patroni's settings under Patroni's names.
/// </summary>
public sealed record AgentConfig
{
    /// <summary>Patroni's <c>scope</c>: the cluster's key prefix <c>/service/&lt;scope&gt;/</c>.</summary>
    public required string Scope { get; init; }

    /// <summary>This node's name: one of <see cref="Members"/>.</summary>
    public required string Name { get; init; }

    public required IReadOnlyList<MemberAddress> Members { get; init; }

    public required EtcdConfig Etcd { get; init; }

    /// <summary>Where this agent's REST API listens.</summary>
    public required Endpoint RestApiListen { get; init; }

    public required PostgresConfig Postgres { get; init; }

    /// <summary>Patroni's settings and this node's tags, as written (the controller applies <see cref="FailoverSettings.Adjust"/>).</summary>
    public required FailoverSettings Settings { get; init; }

    /// <summary>This node's id: its position in <see cref="Members"/>.</summary>
    public NodeId Self => new(Members.Select((m, i) => (m, i)).First(x => x.m.Name == Name).i);

    public MemberAddress Member(NodeId id) => Members[id.Value];

    public IReadOnlyList<string> MemberNames => [.. Members.Select(m => m.Name)];
}
