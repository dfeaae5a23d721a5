using HaSim.Experiments.Plots;

namespace HaSim.Experiments.Tests.Plots;

/// <summary>Each kind of figure drawn from the fixtures, as PNG and as SVG.</summary>
public sealed class FigureTests : IDisposable
{
    private readonly PlotFixtures _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void CdfHasOneLinePerConfigurationLabelledByTheParametersThatVary()
    {
        var png = CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = _files.Out("cdf.png") });
        Assert.Equal((1200, 700), PlotFixtures.PngSize(png.Output));
        Assert.Equal("cross-zone-latency: commit latency CDF", png.Title);
        // workload.rate is 2000 in every row, so it is left out of the labels.
        Assert.Equal(
        [
            "design=first1, network.cross_zone=const(500us)",
            "design=first1, network.cross_zone=lognormal(median=0.5ms, p99=2ms)",
            "design=any1, network.cross_zone=const(500us)",
            "design=any1, network.cross_zone=lognormal(median=0.5ms, p99=2ms)",
            "design=async, network.cross_zone=const(500us)",
            "design=async, network.cross_zone=lognormal(median=0.5ms, p99=2ms)",
        ], png.Legend);

        var svg = CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = _files.Out("cdf.svg") });
        var xml = PlotFixtures.Svg(svg.Output, 1200, 700);
        PlotFixtures.AssertSvgText(xml, "cross-zone-latency: commit latency CDF");
        PlotFixtures.AssertSvgText(xml, "commit latency (ms)"); // latencies reach thousands of µs
        PlotFixtures.AssertSvgText(xml, "fraction of commits");
        foreach (var entry in png.Legend)
        {
            PlotFixtures.AssertSvgText(xml, entry);
        }
        Assert.DoesNotContain("workload.rate", xml, StringComparison.Ordinal);
        Assert.Contains("font-family=\"DejaVu Sans\"", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void CdfFiltersWithWhereAndDrawsALogAxis()
    {
        var result = CdfFigure.Draw(new CdfPlotOptions
        {
            Input = PlotFixtures.LatencyCdf,
            Output = _files.Out("cdf-log.svg"),
            LogX = true,
            Where = ["network.cross_zone=const(500us)"],
            Width = 900,
            Height = 500,
        });
        Assert.Equal(["design=first1", "design=any1", "design=async"], result.Legend);
        Assert.Equal("cross-zone-latency: commit latency CDF [network.cross_zone=const(500us)]", result.Title);
        var xml = PlotFixtures.Svg(result.Output, 900, 500);
        PlotFixtures.AssertSvgText(xml, "commit latency (ms, log scale)");
        // 1-2-5 ticks labelled with the values, not their logarithms
        PlotFixtures.AssertSvgText(xml, "0.5");
        PlotFixtures.AssertSvgText(xml, "1");
        PlotFixtures.AssertSvgText(xml, "2");
        Assert.DoesNotContain("\t-0.3\n", xml, StringComparison.Ordinal);
    }

    // A CDF from x0 to x1 (plotted units), rising in a straight line.
    private static (double[] Xs, double[] Fractions) Rise(double x0, double x1) =>
        ([.. Enumerable.Range(0, 101).Select(i => x0 + (x1 - x0) * i / 100)], [.. Enumerable.Range(0, 101).Select(i => i / 100.0)]);

    [Fact]
    public void ACdfLegendSitsInACornerNoLineCrossesOrBesideThePlot()
    {
        var share = (Width: 0.25, Height: 0.3);
        // Lines that rise on the left and flatten at the top leave the lower right empty.
        Assert.Equal(ScottPlot.Alignment.LowerRight, CdfFigure.EmptyCorner([Rise(0, 4), Rise(3, 5)], share));
        // A latency far to the right of the others climbs through the lower right: the upper left is free.
        Assert.Equal(ScottPlot.Alignment.UpperLeft, CdfFigure.EmptyCorner([Rise(0, 4), Rise(3, 5), Rise(9.8, 10)], share));
        // A step at the far left as well: no corner is free, and the legend goes beside the plot.
        Assert.Null(CdfFigure.EmptyCorner([Rise(0, 0.1), Rise(0, 4), Rise(3, 5), Rise(9.8, 10)], share));
    }

    [Fact]
    public void ACdfLegendsShareOfThePlotGrowsWithItsLabelsAndEntries()
    {
        var small = CdfFigure.LegendShare(["design=a", "design=b"], 1200, 700);
        var wide = CdfFigure.LegendShare(["design=a", "design=cross-region-sync, network.cross_zone=const(500us)"], 1200, 700);
        var tall = CdfFigure.LegendShare(["a", "b", "c", "d", "e", "f"], 1200, 700);
        Assert.True(wide.Width > small.Width && tall.Height > small.Height);
        Assert.InRange(small.Width, 0.1, 0.2);
        Assert.InRange(tall.Height, 0.2, 0.4);
        Assert.Equal((1.0, 1.0), CdfFigure.LegendShare([new string('x', 500), .. Enumerable.Repeat("y", 100)], 300, 200)); // never more than the plot
    }

    [Fact]
    public void CdfOfOneConfigurationHasNoLegend()
    {
        var result = CdfFigure.Draw(new CdfPlotOptions
        {
            Input = PlotFixtures.LatencyCdf,
            Output = _files.Out("one.svg"),
            Where = ["design=any1", "network.cross_zone=const(500us)"],
            Title = "any1 at 500us",
        });
        Assert.Empty(result.Legend);
        var xml = PlotFixtures.Svg(result.Output, 1200, 700);
        PlotFixtures.AssertSvgText(xml, "any1 at 500us");
        Assert.DoesNotContain("design=any1", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void LinesPlotMeansAgainstANumericParameterPerSeriesAndMetric()
    {
        var options = new LinesPlotOptions
        {
            Input = PlotFixtures.Stats,
            Output = _files.Out("lines.png"),
            X = "network.cross_zone",
            Series = ["design"],
            Metrics = ["commit_latency_p50_us", "commit_latency_p99_us"],
        };
        var png = LinesFigure.Draw(options);
        Assert.Equal((1200, 700), PlotFixtures.PngSize(png.Output));
        Assert.Equal("cross-zone-latency: commit latency p50 / p99 vs network.cross_zone", png.Title);
        Assert.Equal(
            ["design=first1, commit latency p50", "design=any1, commit latency p50", "design=first1, commit latency p99", "design=any1, commit latency p99"],
            png.Legend);

        var svg = LinesFigure.Draw(options with { Output = _files.Out("lines.svg") });
        var xml = PlotFixtures.Svg(svg.Output, 1200, 700);
        PlotFixtures.AssertSvgText(xml, png.Title);
        PlotFixtures.AssertSvgText(xml, "network.cross_zone (ms)");
        PlotFixtures.AssertSvgText(xml, "commit latency p50 / p99 (ms)");
        foreach (var entry in png.Legend)
        {
            PlotFixtures.AssertSvgText(xml, entry);
        }
    }

    [Fact]
    public void LinesAddParametersThatVaryAsSeriesAndTakeExplicitLabels()
    {
        var result = LinesFigure.Draw(new LinesPlotOptions
        {
            Input = PlotFixtures.Stats,
            Output = _files.Out("throughput.svg"),
            X = "network.cross_zone",
            Metrics = ["throughput_per_s"],
            XLabel = "cross-zone round trip (ms)",
            YLabel = "commits per second",
            LogX = true,
        });
        Assert.Equal(["design=first1", "design=any1"], result.Legend);
        var xml = PlotFixtures.Svg(result.Output, 1200, 700);
        PlotFixtures.AssertSvgText(xml, "cross-zone round trip (ms)");
        PlotFixtures.AssertSvgText(xml, "commits per second");
        PlotFixtures.AssertSvgText(xml, "cross-zone-latency: throughput vs network.cross_zone");
    }

    [Fact]
    public void LinesCanPutTheMetricOnALogScale()
    {
        var result = LinesFigure.Draw(new LinesPlotOptions
        {
            Input = PlotFixtures.Stats,
            Output = _files.Out("log-y.svg"),
            X = "network.cross_zone",
            Series = ["design"],
            Metrics = ["commit_latency_p99_us"],
            LogY = true,
        });
        var xml = PlotFixtures.Svg(result.Output, 1200, 700);
        PlotFixtures.AssertSvgText(xml, "commit latency p99 (ms, log scale)");

        var zero = Assert.Throws<PlotInputException>(() => LinesFigure.Draw(new LinesPlotOptions
        {
            Input = PlotFixtures.Stats,
            Output = _files.Out("log-y-zero.png"),
            X = "network.cross_zone",
            Metrics = ["lost_commits"],
            LogY = true,
        }));
        Assert.Contains("--log-y", zero.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LinesOfOneSeriesAndOneMetricHaveNoLegendAndAUnitFromTheMetric()
    {
        var result = LinesFigure.Draw(new LinesPlotOptions
        {
            Input = PlotFixtures.Stats,
            Output = _files.Out("rto.svg"),
            X = "network.cross_zone",
            Metrics = ["client_rto_s"],
            Where = ["design=any1"],
        });
        Assert.Empty(result.Legend);
        var xml = PlotFixtures.Svg(result.Output, 1200, 700);
        PlotFixtures.AssertSvgText(xml, "client RTO (s)");
        PlotFixtures.AssertSvgText(xml, "cross-zone-latency: client RTO vs network.cross_zone [design=any1]");
    }

    [Fact]
    public void BoxShowsTheDistributionAcrossSeedsPerConfiguration()
    {
        var options = new BoxPlotOptions
        {
            Input = PlotFixtures.Runs,
            Output = _files.Out("box.png"),
            X = "failover.ttl",
            Series = ["design"],
            Metric = "client_rto_s",
        };
        var png = BoxFigure.Draw(options);
        Assert.Equal((1200, 700), PlotFixtures.PngSize(png.Output));
        Assert.Equal("ttl-sweep: client RTO by failover.ttl, 12 seeds each", png.Title);
        Assert.Equal(["design=first1", "design=async"], png.Legend);

        var svg = BoxFigure.Draw(options with { Output = _files.Out("box.svg") });
        var xml = PlotFixtures.Svg(svg.Output, 1200, 700);
        PlotFixtures.AssertSvgText(xml, png.Title);
        PlotFixtures.AssertSvgText(xml, "failover.ttl");
        PlotFixtures.AssertSvgText(xml, "client RTO (s)");
        foreach (var category in new[] { "10s", "20s", "30s", "60s" })
        {
            PlotFixtures.AssertSvgText(xml, category);
        }
        PlotFixtures.AssertSvgText(xml, "design=first1");
        PlotFixtures.AssertSvgText(xml, "design=async");
    }

    [Fact]
    public void BoxOfACountMetricHasNoUnitAndOneSeriesHasNoLegend()
    {
        var result = BoxFigure.Draw(new BoxPlotOptions
        {
            Input = PlotFixtures.Runs,
            Output = _files.Out("lost.svg"),
            X = "failover.ttl",
            Metric = "lost_commits",
            Where = ["design=async"],
        });
        Assert.Empty(result.Legend);
        var xml = PlotFixtures.Svg(result.Output, 1200, 700);
        PlotFixtures.AssertSvgText(xml, "lost commits");
        PlotFixtures.AssertSvgText(xml, "ttl-sweep: lost commits by failover.ttl, 12 seeds each [design=async]");
    }

    [Fact]
    public void TimelineShowsLanesFaultsAndWritesOnOneTimeAxis()
    {
        var png = TimelineFigure.Draw(new TimelinePlotOptions { Input = PlotFixtures.CrashRun, Output = _files.Out("timeline.png") });
        Assert.Equal((1200, 700), PlotFixtures.PngSize(png.Output));
        Assert.Equal("failover-crash-sync, seed 7: roles, leader key and client writes", png.Title);
        Assert.Equal(["primary", "down", "replica", "leader key held", "no leader key", "fault", "acknowledged", "failed", "unknown"], png.Legend);

        var svg = TimelineFigure.Draw(new TimelinePlotOptions { Input = PlotFixtures.CrashRun, Output = _files.Out("timeline.svg"), Width = 1000, Height = 800 });
        var xml = PlotFixtures.Svg(svg.Output, 1000, 800);
        foreach (var text in new[] { png.Title, "time (s)", "client writes per second", "pg1", "pg2", "pg3", "leader key", "faults", "crash of pg1", "timeline 2" })
        {
            PlotFixtures.AssertSvgText(xml, text);
        }
        foreach (var entry in png.Legend)
        {
            PlotFixtures.AssertSvgText(xml, entry);
        }
        // The multiplot's initial clear must not leave a black rectangle behind the figure.
        Assert.DoesNotContain("<rect width=\"1000\" height=\"800\"/>", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void TimelineAcceptsThePathOfTimelineCsvAndPicksARunBySeed()
    {
        var result = TimelineFigure.Draw(new TimelinePlotOptions
        {
            Input = Path.Combine(PlotFixtures.CrashRun, "timeline.csv"),
            Output = _files.Out("t.png"),
            Seed = 7,
            Title = "crash of the primary",
        });
        Assert.Equal("crash of the primary", result.Title);
        Assert.Equal((1200, 700), PlotFixtures.PngSize(result.Output));
    }

    [Fact]
    public void ALongRunHasItsWriteBinsMergedAndSaysSo()
    {
        var timeline = new System.Text.StringBuilder("model,seed,track,kind,from_s,to_s,state,detail\n");
        var writes = new System.Text.StringBuilder("model,seed,time_s,acknowledged,failed,unknown\n");
        for (var i = 0; i < 40; i++)
        {
            // a primary that changes every 100 s, so spans are narrow and their text is left out
            var from = i * 100;
            timeline.Append(System.FormattableString.Invariant($"long,3,pg{i % 2 + 1},role,{from},{from + 100},primary,timeline {i + 1}\n"));
            timeline.Append(System.FormattableString.Invariant($"long,3,pg{(i + 1) % 2 + 1},role,{from},{from + 100},replica,timeline {i + 1}\n"));
        }
        timeline.Append("long,3,faults,fault,1200,1200,kill -9 of pg1,\n"); // an instant: a dashed line
        for (var t = 0; t < 4000; t++)
        {
            writes.Append(System.FormattableString.Invariant($"long,3,{t},{1000 + t % 7},{(t % 100 == 0 ? 50 : 0)},{(t == 1200 ? 3 : 0)}\n"));
        }
        _files.Write("long/timeline.csv", timeline.ToString());
        _files.Write("long/writes.csv", writes.ToString());
        var result = TimelineFigure.Draw(new TimelinePlotOptions { Input = Path.Combine(_files.Scratch, "long"), Output = _files.Out("long.svg") });
        var xml = PlotFixtures.Svg(result.Output, 1200, 700);
        PlotFixtures.AssertSvgText(xml, "client writes per second (mean over 3 s)");
        PlotFixtures.AssertSvgText(xml, "kill -9 of pg1");
        Assert.DoesNotContain("timeline 7", xml, StringComparison.Ordinal);
        Assert.True(xml.Length < 1_000_000, $"the SVG has {xml.Length} characters");
    }

    [Fact]
    public void FiltersOnOneParameterReadAsAlternativesInTheTitle()
    {
        var result = CdfFigure.Draw(new CdfPlotOptions
        {
            Input = PlotFixtures.LatencyCdf,
            Output = _files.Out("alt.png"),
            Where = ["design=first1", "network.cross_zone=const(500us)", "design=async"],
        });
        Assert.Equal("cross-zone-latency: commit latency CDF [design=first1 or async, network.cross_zone=const(500us)]", result.Title);
        Assert.Equal(["design=first1", "design=async"], result.Legend);
    }

    [Fact]
    public void TheSameInputGivesTheSameBytes()
    {
        foreach (var extension in new[] { "png", "svg" })
        {
            var a = CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = _files.Out("a." + extension) });
            var b = CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = _files.Out("b." + extension) });
            Assert.Equal(File.ReadAllBytes(a.Output), File.ReadAllBytes(b.Output));
            var c = TimelineFigure.Draw(new TimelinePlotOptions { Input = PlotFixtures.CrashRun, Output = _files.Out("c." + extension) });
            var d = TimelineFigure.Draw(new TimelinePlotOptions { Input = PlotFixtures.CrashRun, Output = _files.Out("d." + extension) });
            Assert.Equal(File.ReadAllBytes(c.Output), File.ReadAllBytes(d.Output));
        }
    }

    [Fact]
    public void TextIsDrawnInAFontThatExists()
    {
        // Without a resolvable font ScottPlot draws every text as nothing, and no error says so.
        CdfFigure.Draw(new CdfPlotOptions { Input = PlotFixtures.LatencyCdf, Output = _files.Out("font.png") });
        Assert.Equal("DejaVu Sans", ScottPlot.Fonts.Default);
        Assert.Equal("DejaVu Sans", ScottPlot.Fonts.GetTypeface("DejaVu Sans", bold: false, italic: false).FamilyName);
    }
}
