namespace HaSim.Cli.Tests;

/// <summary><c>hasim predict</c> and <c>hasim agent</c> from the command line: output, exit codes, configuration errors.</summary>
public sealed class PredictCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hasim-predict").FullName;

    private const string Config = """
        scope: demo
        name: pg1
        ttl: 20
        loop_wait: 2
        retry_timeout: 3
        synchronous_mode: on
        etcd: { hosts: [127.0.0.1:2379] }
        restapi: { listen: 127.0.0.1:8008 }
        postgresql:
          data_dir: /var/lib/postgresql/15/pg1
          bin_dir: /usr/lib/postgresql/15/bin
          superuser: { username: postgres }
          replication: { username: replicator }
        members:
          - { name: pg1, restapi: 127.0.0.1:8008, postgresql: 127.0.0.1:5432 }
          - { name: pg2, restapi: 127.0.0.1:8009, postgresql: 127.0.0.1:5433 }
          - { name: pg3, restapi: 127.0.0.1:8010, postgresql: 127.0.0.1:5434 }
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Predict_prints_the_distribution_beside_the_measured_values()
    {
        var config = Write("node.yaml", Config);
        var measured = Write("rto.txt", "# a comment\n19.5\n");

        var run = CliProcess.Run("predict", "--config", config, "--seeds", "8", "--measured", measured, "20.25");

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains("PostgreSQL and the agent of primary pg1 are killed", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("ttl=20s loop_wait=2s retry_timeout=3s synchronous_mode=on; 8 seeds", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("predicted: crash to promotion (controller)", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("measured: kill to first write (2 runs)", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("measured 19.500s:", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("measured 20.250s:", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_configuration_is_exit_code_2_with_its_place()
    {
        var config = Write("bad.yaml", Config.Replace("loop_wait: 2", "loop_wait: often", StringComparison.Ordinal));

        var predict = CliProcess.Run("predict", "--config", config);
        var agent = CliProcess.Run("agent", "--config", config);

        Assert.Equal(2, predict.ExitCode);
        Assert.Equal(2, agent.ExitCode);
        Assert.StartsWith($"error: {config}:4:12: loop_wait: expected seconds", predict.StdErr, StringComparison.Ordinal);
        Assert.StartsWith($"error: {config}:4:12: loop_wait: expected seconds", agent.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_measured_value_that_is_not_a_number_is_exit_code_2()
    {
        var config = Write("node.yaml", Config);
        var measured = Write("rto.txt", "19.5\nfast\n");

        var run = CliProcess.Run("predict", "--config", config, "--seeds", "1", "--measured", measured);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{measured}:2: expected a number of seconds, found 'fast'", run.StdErr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
