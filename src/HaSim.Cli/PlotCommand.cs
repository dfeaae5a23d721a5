using System.CommandLine;
using System.Globalization;
using HaSim.Experiments.Plots;

namespace HaSim.Cli;

/// <summary>
/// <c>hasim plot cdf|lines|box|timeline</c>: figures (PNG or SVG, by the output's extension) from the
/// CSV files that <c>hasim sweep</c> and <c>hasim run --out</c> write. The drawing is in
/// HaSim.Experiments.Plots; this only maps options.
/// </summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var command = new Command("plot", "Draw figures from the CSV files that 'hasim sweep' and 'hasim run --out' write.");
        command.Subcommands.Add(Cdf());
        command.Subcommands.Add(Lines());
        command.Subcommands.Add(Box());
        command.Subcommands.Add(Timeline());
        return command;
    }

    /// <summary>The options every plot has.</summary>
    private sealed class Common
    {
        public readonly Option<string> Output = new("--out", "-o") { Description = "The image to write: .png or .svg.", Required = true };
        public readonly Option<string?> Title = new("--title") { Description = "The figure title (default: from the experiment or model name and the metric)." };
        public readonly Option<int> Width = new("--width") { Description = "Width in pixels.", DefaultValueFactory = _ => PlotOptions.DefaultWidth };
        public readonly Option<int> Height = new("--height") { Description = "Height in pixels.", DefaultValueFactory = _ => PlotOptions.DefaultHeight };

        public void AddTo(Command command)
        {
            command.Options.Add(Output);
            command.Options.Add(Title);
            command.Options.Add(Width);
            command.Options.Add(Height);
        }

        /// <summary>The options every figure shares, from the command line, on top of a figure's own.</summary>
        public T Apply<T>(ParseResult parse, T options, Option<string[]>? where = null) where T : PlotOptions => options with
        {
            Output = parse.GetValue(Output)!,
            Title = parse.GetValue(Title),
            Width = parse.GetValue(Width),
            Height = parse.GetValue(Height),
            Where = where is null ? [] : parse.GetValue(where) ?? [],
        };
    }

    private static Option<string> Input(string description) => new("--in", "-i") { Description = description, Required = true };

    private static Option<string[]> Where() => new("--where")
    {
        Description = "Keep only rows where a swept parameter has this value, PARAM=VALUE (e.g. design=first1); may be repeated.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static Option<string[]> Series() => new("--series")
    {
        Description = "A parameter whose values tell the series apart; may be repeated. Other parameters that vary are added after it.",
        AllowMultipleArgumentsPerToken = false,
    };

    private static Command Cdf()
    {
        var input = Input("latency_cdf.csv from 'hasim sweep'.");
        var where = Where();
        var logX = new Option<bool>("--log-x") { Description = "Latency on a log scale." };
        var common = new Common();
        var command = new Command("cdf", "Commit-latency CDF, one line per configuration.") { input, where, logX };
        common.AddTo(command);
        command.SetAction(parse => Guard(() => CdfFigure.Draw(common.Apply(parse, new CdfPlotOptions
        {
            Input = parse.GetValue(input)!,
            Output = "", // from the common options
            LogX = parse.GetValue(logX),
        }, where))));
        return command;
    }

    private static Command Lines()
    {
        var input = Input("stats.csv from 'hasim sweep'.");
        var x = new Option<string>("--x") { Description = "The numeric parameter on the x axis (durations in ms or s, sizes, rates, numbers), e.g. network.cross_zone.", Required = true };
        var metric = new Option<string[]>("--metric")
        {
            Description = "A metric whose mean (with its 95% confidence interval) is plotted, e.g. commit_latency_p99_us; may be repeated.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var series = Series();
        var where = Where();
        var xLabel = new Option<string?>("--x-label") { Description = "The x axis label (default: the parameter and its unit)." };
        var yLabel = new Option<string?>("--y-label") { Description = "The y axis label (default: the metric and its unit)." };
        var logX = new Option<bool>("--log-x") { Description = "The x axis on a log scale." };
        var logY = new Option<bool>("--log-y") { Description = "The metric on a log scale (for values that differ by orders of magnitude)." };
        var common = new Common();
        var command = new Command("lines", "Means of metrics with 95% confidence intervals against a numeric parameter, one line per series.")
        {
            input, x, metric, series, where, xLabel, yLabel, logX, logY,
        };
        common.AddTo(command);
        command.SetAction(parse => Guard(() => LinesFigure.Draw(common.Apply(parse, new LinesPlotOptions
        {
            Input = parse.GetValue(input)!,
            Output = "", // from the common options
            X = parse.GetValue(x)!,
            Metrics = parse.GetValue(metric) ?? [],
            Series = parse.GetValue(series) ?? [],
            XLabel = parse.GetValue(xLabel),
            YLabel = parse.GetValue(yLabel),
            LogX = parse.GetValue(logX),
            LogY = parse.GetValue(logY),
        }, where))));
        return command;
    }

    private static Command Box()
    {
        var input = Input("runs.csv from 'hasim sweep'.");
        var x = new Option<string>("--x") { Description = "The parameter along the x axis, one group of boxes per value, e.g. failover.ttl.", Required = true };
        var metric = new Option<string>("--metric") { Description = "The metric whose distribution across seeds is drawn, e.g. client_rto_s.", Required = true };
        var series = Series();
        var where = Where();
        var xLabel = new Option<string?>("--x-label") { Description = "The x axis label (default: the parameter)." };
        var yLabel = new Option<string?>("--y-label") { Description = "The y axis label (default: the metric and its unit)." };
        var common = new Common();
        var command = new Command("box", "The distribution of a metric across seeds per configuration: boxes with every seed's value as a dot.")
        {
            input, x, metric, series, where, xLabel, yLabel,
        };
        common.AddTo(command);
        command.SetAction(parse => Guard(() => BoxFigure.Draw(common.Apply(parse, new BoxPlotOptions
        {
            Input = parse.GetValue(input)!,
            Output = "", // from the common options
            X = parse.GetValue(x)!,
            Metric = parse.GetValue(metric)!,
            Series = parse.GetValue(series) ?? [],
            XLabel = parse.GetValue(xLabel),
            YLabel = parse.GetValue(yLabel),
        }, where))));
        return command;
    }

    private static Command Timeline()
    {
        var input = Input("The directory 'hasim run --out DIR' wrote timeline.csv and writes.csv into.");
        var seed = new Option<ulong?>("--seed") { Description = "Which run to draw when the files hold several." };
        var common = new Common();
        var command = new Command("timeline", "A failover timeline: node roles, leader-key holder and faults over time, with client writes per second by outcome below.")
        {
            input, seed,
        };
        common.AddTo(command);
        command.SetAction(parse => Guard(() => TimelineFigure.Draw(common.Apply(parse, new TimelinePlotOptions
        {
            Input = parse.GetValue(input)!,
            Output = "", // from the common options
            Seed = parse.GetValue(seed),
        }))));
        return command;
    }

    /// <summary>Runs a plot; bad input is one line on stderr and exit code 2.</summary>
    private static int Guard(Func<PlotResult> draw)
    {
        try
        {
            var result = draw();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {result.Output}: {result.Title}"));
            return 0;
        }
        catch (PlotInputException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return CliErrors.BadInput;
        }
    }
}
