using System.Diagnostics;
using Npgsql;

namespace HaSim.Agent.Tests;

/// <summary>
/// A client that writes one numbered row at a time to whichever node accepts it: it stays with
/// the node that took its last write and, when that fails, tries the others in turn (a replica
/// refuses a write, a dead node refuses the connection). A write is acknowledged when its
/// commit returned; one that failed or timed out was not (it may or may not have committed).
/// </summary>
internal sealed class Writer(RealCluster.Node[] nodes, Stopwatch clock)
{
    public sealed record Ack(long Id, string Node, TimeSpan At);

    private readonly List<Ack> _acks = [];
    private readonly object _gate = new();

    public IReadOnlyList<Ack> Acks
    {
        get
        {
            lock (_gate)
            {
                return [.. _acks];
            }
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var connections = new NpgsqlConnection?[nodes.Length];
        var current = 0;
        long id = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var written = false;
                for (var tried = 0; tried < nodes.Length && !written && !ct.IsCancellationRequested; tried++)
                {
                    var i = (current + tried) % nodes.Length;
                    id++; // every attempt writes a new row: one that timed out may have committed after all
                    try
                    {
                        if (connections[i] is null)
                        {
                            var connection = new NpgsqlConnection(nodes[i].ConnectionString(timeoutSeconds: 1, commandTimeoutSeconds: 3));
                            connections[i] = connection;
                            await connection.OpenAsync(CancellationToken.None);
                        }
                        await using var command = new NpgsqlCommand("INSERT INTO writes (id, node) VALUES ($1, $2)", connections[i]);
                        command.Parameters.AddWithValue(id);
                        command.Parameters.AddWithValue(nodes[i].Name);
                        await command.ExecuteNonQueryAsync(CancellationToken.None);
                        lock (_gate)
                        {
                            _acks.Add(new Ack(id, nodes[i].Name, clock.Elapsed));
                        }
                        current = i;
                        written = true;
                    }
                    catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or IOException)
                    {
                        if (connections[i] is { } broken)
                        {
                            await broken.DisposeAsync();
                            connections[i] = null;
                        }
                    }
                }
                await Task.Delay(written ? 50 : 100, CancellationToken.None);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }
}
