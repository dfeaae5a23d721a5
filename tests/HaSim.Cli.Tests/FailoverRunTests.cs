using System.Globalization;
using HaSim.Experiments.Loading;
using HaSim.Experiments.Runs;

namespace HaSim.Cli.Tests;

/// <summary><c>hasim run</c> on a model with automatic failover: the failover summary, failover.csv, and determinism.</summary>
public class FailoverRunTests
{
    private static string Model(string name) => Path.Combine(RunCommandTests.RepositoryRoot(), "models", name + ".yaml");

    [Fact]
    public void TheSameSeedGivesTheSameTraceInThisProcessAndInOthers()
    {
        var spec = ModelLoader.LoadFile(Model("failover-vm-pause"));
        var inProcess = ModelRun.Execute(spec, seed: 3).Report.Fingerprint;
        var again = ModelRun.Execute(spec, seed: 3).Report.Fingerprint;
        var first = CliProcess.Run("run", Model("failover-vm-pause"), "--seed", "3").StdOut.Split('\n')[0].Trim();
        var second = CliProcess.Run("run", Model("failover-vm-pause"), "--seed", "3").StdOut.Split('\n')[0].Trim();
        var other = CliProcess.Run("run", Model("failover-vm-pause"), "--seed", "4").StdOut.Split('\n')[0].Trim();
        Assert.Equal(inProcess, again);
        Assert.Equal(inProcess, first);
        Assert.Equal(first, second);
        Assert.NotEqual(first.Split(' ')[1], other.Split(' ')[1]);
    }

    [Fact]
    public void TheSummaryReportsRtoRpoAndSplitBrain()
    {
        var output = CliProcess.Run("run", Model("failover-vm-pause"));
        Assert.True(output.ExitCode == 0, output.StdErr);
        Assert.Contains("failover: ttl=30s loop_wait=10s retry_timeout=10s, synchronous_mode off, watchdog off", output.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"RTO, client\s+[0-9]+\.[0-9]{3}s: last acknowledged write T\+[0-9.]+s, next T\+[0-9.]+s", output.StdOut);
        Assert.Matches(@"RTO, controller\s+[0-9]+\.[0-9]{3}s: pause of pg1 at T\+60\.000s, pg[23] promoted at T\+[0-9.]+s", output.StdOut);
        Assert.Matches(@"RPO\s+0 acknowledged writes lost", output.StdOut);
        Assert.Matches(@"split brain\s+[0-9.]+s, T\+[0-9.]+s\.\.T\+105\.000s: pg1 on timeline 1 and pg[23] on timeline 2; [0-9,]+ writes", output.StdOut);
        Assert.Contains("invariants violated: single-writer", output.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void OutAlsoWritesFailoverCsv()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hasim-failover-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            var output = CliProcess.Run("run", Model("failover-crash-sync"), "--out", directory);
            Assert.True(output.ExitCode == 0, output.StdErr);
            var rows = File.ReadAllLines(Path.Combine(directory, "failover.csv"));
            Assert.Equal(2, rows.Length);
            var header = rows[0].Split(',');
            var values = rows[1].Split(',');
            string Column(string name) => values[Array.IndexOf(header, name)];
            Assert.Equal("failover-crash-sync", Column("model"));
            Assert.Equal("1", Column("promotions"));
            Assert.Equal("0", Column("lost_commits"));
            Assert.InRange(double.Parse(Column("controller_rto_s"), CultureInfo.InvariantCulture), 22.5, 32.7);
            Assert.Equal("0", Column("split_brain_windows"));

            var timeline = File.ReadAllLines(Path.Combine(directory, "timeline.csv"));
            Assert.Equal("model,seed,track,kind,from_s,to_s,state,detail", timeline[0]);
            Assert.Contains("failover-crash-sync,1,pg1,role,0,60,primary,timeline 1", timeline);
            Assert.Contains(timeline, row => row.StartsWith("failover-crash-sync,1,leader key,leader_key,0,", StringComparison.Ordinal) && row.EndsWith(",pg1,", StringComparison.Ordinal));
            Assert.Contains("failover-crash-sync,1,faults,fault,60,180,crash of pg1,", timeline);
            var writes = File.ReadAllLines(Path.Combine(directory, "writes.csv"));
            Assert.Equal("model,seed,time_s,acknowledged,failed,unknown", writes[0]);
            Assert.Equal(1 + 185, writes.Length); // a row per second of the run
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
