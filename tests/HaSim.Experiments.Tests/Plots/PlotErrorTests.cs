using HaSim.Experiments.Plots;

namespace HaSim.Experiments.Tests.Plots;

/// <summary>Bad input: one message that names the file and says what was expected; no image is written.</summary>
public sealed class PlotErrorTests : IDisposable
{
    private readonly PlotFixtures _files = new();

    public void Dispose() => _files.Dispose();

    private PlotInputException Fails(Func<PlotResult> draw, string output)
    {
        var e = Assert.Throws<PlotInputException>(() => draw());
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(output), "no image is written on bad input");
        return e;
    }

    private LinesPlotOptions Lines(string output) => new()
    {
        Input = PlotFixtures.Stats,
        Output = _files.Out(output),
        X = "network.cross_zone",
        Metrics = ["commit_latency_p99_us"],
    };

    private BoxPlotOptions Box(string output) => new()
    {
        Input = PlotFixtures.Runs,
        Output = _files.Out(output),
        X = "failover.ttl",
        Metric = "client_rto_s",
    };

    [Fact]
    public void AMissingInputFileIsNamed()
    {
        var missing = Path.Combine(_files.Scratch, "nope", "latency_cdf.csv");
        var e = Fails(() => CdfFigure.Draw(new CdfPlotOptions { Input = missing, Output = _files.Out("x.png") }), _files.Out("x.png"));
        Assert.Equal($"{missing}: no such file", e.Message);
    }

    [Theory]
    [InlineData("fig.jpg", "the extension '.jpg'; expected an output file ending in .png or .svg")]
    [InlineData("fig", "no extension; expected an output file ending in .png or .svg")]
    public void AnOutputThatIsNotPngOrSvgIsRefused(string name, string message)
    {
        var output = _files.Out(name);
        var e = Fails(() => CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = output }), output);
        Assert.Equal($"{output}: {message}", e.Message);
    }

    [Fact]
    public void ASizeOutOfRangeIsRefused()
    {
        var e = Fails(() => CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = _files.Out("x.png"), Width = 50 }), _files.Out("x.png"));
        Assert.Equal("--width: 50 pixels is out of range; expected 200 to 10000", e.Message);
    }

    [Fact]
    public void AMissingColumnNamesFileAndColumn()
    {
        var input = _files.Write("stats.csv", "experiment,config,design,metric,n,mean,mean_ci95_high\nx,0,a,m,1,2,3\n");
        var e = Fails(() => LinesFigure.Draw(Lines("x.png") with { Input = input }), _files.Out("x.png"));
        Assert.StartsWith($"{input}: no column 'mean_ci95_low'", e.Message, StringComparison.Ordinal);
        Assert.Contains("hasim sweep (stats.csv)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownParameterListsTheParametersWithASuggestion()
    {
        var e = Fails(() => LinesFigure.Draw(Lines("x.png") with { X = "network.crosszone" }), _files.Out("x.png"));
        Assert.Equal($"{PlotFixtures.Stats}: --x: no parameter 'network.crosszone' (did you mean 'network.cross_zone'?); parameters: design, network.cross_zone", e.Message);

        e = Fails(() => BoxFigure.Draw(Box("y.png") with { Series = ["desing"] }), _files.Out("y.png"));
        Assert.Equal($"{PlotFixtures.Runs}: --series: no parameter 'desing' (did you mean 'design'?); parameters: design, failover.ttl", e.Message);
    }

    [Fact]
    public void AnUnknownMetricListsTheMetricsWithASuggestion()
    {
        var e = Fails(() => LinesFigure.Draw(Lines("x.png") with { Metrics = ["commit_latency_p99"] }), _files.Out("x.png"));
        Assert.Equal($"{PlotFixtures.Stats}: --metric: no metric 'commit_latency_p99' (did you mean 'commit_latency_p99_us'?); metrics: commit_latency_p50_us, commit_latency_p99_us, throughput_per_s, lost_commits, client_rto_s", e.Message);

        e = Fails(() => BoxFigure.Draw(Box("y.png") with { Metric = "client_rto" }), _files.Out("y.png"));
        Assert.StartsWith($"{PlotFixtures.Runs}: --metric: no metric 'client_rto' (did you mean 'client_rto_s'?); metrics: commits, throughput_per_s,", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("failure", e.Message, StringComparison.Ordinal);

        // A parameter column is not a metric.
        e = Fails(() => BoxFigure.Draw(Box("z.png") with { Metric = "design" }), _files.Out("z.png"));
        Assert.StartsWith($"{PlotFixtures.Runs}: --metric: no metric 'design'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnXParameterWithoutNumbersIsRefusedForLines()
    {
        var e = Fails(() => LinesFigure.Draw(Lines("x.png") with { X = "design" }), _files.Out("x.png"));
        Assert.StartsWith($"{PlotFixtures.Stats}: parameter 'design' has the value 'first1', which is not numeric", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricsOfDifferentKindsCannotShareAnAxis()
    {
        var e = Fails(() => LinesFigure.Draw(Lines("x.png") with { Metrics = ["commit_latency_p99_us", "lost_commits"] }), _files.Out("x.png"));
        Assert.Equal($"{PlotFixtures.Stats}: --metric: commit_latency_p99_us (µs), lost_commits (a count) have different units and cannot share a y axis; plot them separately", e.Message);
    }

    [Fact]
    public void AMetricWithoutValuesInTheSelectionIsAnError()
    {
        var e = Fails(() => LinesFigure.Draw(Lines("x.png") with { Metrics = ["lost_commits"], Where = ["design=first1"] }), _files.Out("x.png"));
        Assert.Equal($"{PlotFixtures.Stats}: the selected rows have no value for lost_commits (the mean column is empty)", e.Message);
    }

    [Fact]
    public void WhereFiltersAreChecked()
    {
        var output = _files.Out("x.png");
        var e = Fails(() => CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = output, Where = ["design"] }), output);
        Assert.Equal($"{PlotFixtures.LatencyCdf}: --where 'design': expected PARAM=VALUE, e.g. design=first1", e.Message);

        e = Fails(() => CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = output, Where = ["design=first2"] }), output);
        Assert.Equal($"{PlotFixtures.LatencyCdf}: --where design=first2: no row has that value (did you mean 'first1'?); values of 'design': first1, any1, async", e.Message);

        e = Fails(() => CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = output, Where = ["workload=2000"] }), output);
        Assert.StartsWith($"{PlotFixtures.LatencyCdf}: --where: no parameter 'workload'; parameters: design, network.cross_zone, workload.rate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptySelectionIsAnError()
    {
        var input = _files.Write("latency_cdf.csv",
            "experiment,config,design,network.cross_zone,latency_us,cumulative_fraction\n" +
            "e,0,first1,const(1ms),900,0.5\ne,0,first1,const(1ms),1200,1\n" +
            "e,1,any1,const(2ms),700,0.5\ne,1,any1,const(2ms),1000,1\n");
        var output = _files.Out("x.png");
        var e = Fails(() => CdfFigure.Draw(new CdfPlotOptions { Input = input, Output = output, Where = ["design=first1", "network.cross_zone=const(2ms)"] }), output);
        Assert.Equal($"{input}: no row matches all of --where design=first1 --where network.cross_zone=const(2ms)", e.Message);
    }

    [Fact]
    public void SeriesCannotBeTheXParameter()
    {
        var e = Fails(() => BoxFigure.Draw(Box("x.png") with { Series = ["failover.ttl"] }), _files.Out("x.png"));
        Assert.Equal($"{PlotFixtures.Runs}: --series failover.ttl is also the --x parameter; choose another parameter for the series", e.Message);
    }

    [Fact]
    public void ABadNumberNamesFileLineAndColumn()
    {
        var input = _files.Write("latency_cdf.csv",
            "experiment,config,design,latency_us,cumulative_fraction\ne,0,a,900,0.5\ne,0,a,1.2ms,1\n");
        var e = Fails(() => CdfFigure.Draw(new CdfPlotOptions { Input = input, Output = _files.Out("x.png") }), _files.Out("x.png"));
        Assert.Equal($"{input}:3: column 'latency_us': '1.2ms' is not a number", e.Message);
    }

    [Fact]
    public void ATimelineNeedsItsDirectoryAndBothFiles()
    {
        var output = _files.Out("t.png");
        var missing = Path.Combine(_files.Scratch, "no-run");
        var e = Fails(() => TimelineFigure.Draw(new TimelinePlotOptions { Input = missing, Output = output }), output);
        Assert.Equal($"{missing}: no such directory; expected the directory that 'hasim run --out DIR' wrote timeline.csv and writes.csv into", e.Message);

        _files.Write("run/timeline.csv", File.ReadAllText(Path.Combine(PlotFixtures.CrashRun, "timeline.csv")));
        var run = Path.Combine(_files.Scratch, "run");
        e = Fails(() => TimelineFigure.Draw(new TimelinePlotOptions { Input = run, Output = output }), output);
        Assert.Equal($"{Path.Combine(run, "writes.csv")}: no such file", e.Message);
    }

    [Fact]
    public void ATimelineOfSeveralRunsNeedsASeed()
    {
        var timeline = File.ReadAllText(Path.Combine(PlotFixtures.CrashRun, "timeline.csv"));
        var writes = File.ReadAllText(Path.Combine(PlotFixtures.CrashRun, "writes.csv"));
        _files.Write("two/timeline.csv", timeline + "failover-crash-sync,8,pg1,role,0,90,primary,timeline 1\n");
        _files.Write("two/writes.csv", writes);
        var dir = Path.Combine(_files.Scratch, "two");
        var file = Path.Combine(dir, "timeline.csv");
        var output = _files.Out("t.png");
        var e = Fails(() => TimelineFigure.Draw(new TimelinePlotOptions { Input = dir, Output = output }), output);
        Assert.Equal($"{file}: holds 2 runs (failover-crash-sync seed 7, failover-crash-sync seed 8); choose one with --seed", e.Message);

        e = Fails(() => TimelineFigure.Draw(new TimelinePlotOptions { Input = dir, Output = output, Seed = 9 }), output);
        Assert.Equal($"{file}: --seed 9: no run with that seed; runs: failover-crash-sync seed 7, failover-crash-sync seed 8", e.Message);

        var ok = TimelineFigure.Draw(new TimelinePlotOptions { Input = dir, Output = output, Seed = 8 });
        Assert.Equal("failover-crash-sync, seed 8: roles, leader key and client writes", ok.Title);
    }

    [Fact]
    public void ATimelineRowOfAnUnknownKindNamesItsLine()
    {
        _files.Write("bad/timeline.csv", "model,seed,track,kind,from_s,to_s,state,detail\nm,1,pg1,role,0,5,primary,\nm,1,pg1,roles,5,9,replica,\n");
        _files.Write("bad/writes.csv", "model,seed,time_s,acknowledged,failed,unknown\nm,1,0,10,0,0\n");
        var dir = Path.Combine(_files.Scratch, "bad");
        var output = _files.Out("t.png");
        var e = Fails(() => TimelineFigure.Draw(new TimelinePlotOptions { Input = dir, Output = output }), output);
        Assert.Equal($"{Path.Combine(dir, "timeline.csv")}:3: column 'kind': 'roles' (did you mean 'role'?); expected role, leader_key or fault", e.Message);
    }
}
