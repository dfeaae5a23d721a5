using HaSim.Experiments.Plots;

namespace HaSim.Experiments.Tests.Plots;

public class CsvTableTests
{
    [Fact]
    public void ReadsQuotedFieldsWithCommasDoubledQuotesAndLineBreaks()
    {
        var text = "experiment,config,design,note\r\n" +
                   "x,0,\"lognormal(median=0.5ms, p99=2ms)\",\"say \"\"hi\"\"\"\r\n" +
                   "x,1,plain,\"two\nlines\"\n" +
                   "\n" +
                   "x,2,,last";
        var table = CsvTable.Parse(text, "t.csv");

        Assert.Equal(["experiment", "config", "design", "note"], table.Header);
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal("lognormal(median=0.5ms, p99=2ms)", table.Rows[0][2]);
        Assert.Equal("say \"hi\"", table.Rows[0][3]);
        Assert.Equal("two\nlines", table.Rows[1][3]);
        Assert.Equal("", table.Rows[2][2]);
        Assert.Equal("last", table.Rows[2][3]);
        // Line numbers count physical lines: the quoted line break and the blank line are lines too.
        Assert.Equal([2, 3, 6], table.Rows.Select(r => r.Line));
    }

    [Fact]
    public void SkipsAByteOrderMarkAndReadsAnEmptyLastField()
    {
        var table = CsvTable.Parse("\uFEFFa,b\n1,\n", "t.csv");
        Assert.Equal(["a", "b"], table.Header);
        Assert.Equal(["1", ""], table.Rows[0].Fields);
        Assert.Null(table.Number(table.Rows[0], 1));
        Assert.Equal(1.0, table.Number(table.Rows[0], 0));
    }

    [Theory]
    [InlineData("a,b\n1,\"open\n", "t.csv:2: a quoted field is not closed")]
    [InlineData("a,b\n1,2\n3\n", "t.csv:3: 1 fields, but the header has 2 columns")]
    [InlineData("a,b\n1,x\"y\n", "t.csv:2: a quote inside an unquoted field")]
    [InlineData("a,b\n1,\"q\"x\n", "t.csv:2: 'x' after a closing quote")]
    [InlineData("", "t.csv: is empty; expected a header line")]
    [InlineData("a,a\n", "t.csv:1: column 'a' appears twice")]
    [InlineData("a,,b\n", "t.csv:1: column 2 has no name")]
    public void MalformedTextIsAnErrorNamingTheFileAndLine(string text, string message)
    {
        var e = Assert.Throws<PlotInputException>(() => CsvTable.Parse(text, "t.csv"));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonNumberInANumericColumnNamesFileLineAndColumn()
    {
        var table = CsvTable.Parse("a,mean\n1,2\n1,fast\n", "stats.csv");
        var e = Assert.Throws<PlotInputException>(() => table.Number(table.Rows[1], 1));
        Assert.Equal("stats.csv:3: column 'mean': 'fast' is not a number", e.Message);
    }

    [Fact]
    public void AMissingColumnListsTheColumnsAndSuggestsASpelling()
    {
        var table = CsvTable.Parse("experiment,config,latency\n", "latency_cdf.csv");
        var e = Assert.Throws<PlotInputException>(() => table.RequireColumn("latency_us", "hasim sweep"));
        Assert.Equal("latency_cdf.csv: no column 'latency_us'; expected a file written by hasim sweep (columns found: experiment, config, latency)", e.Message);
        e = Assert.Throws<PlotInputException>(() => table.RequireColumn("confg", "hasim sweep"));
        Assert.Contains("no column 'confg' (did you mean 'config'?)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var e = Assert.Throws<PlotInputException>(() => CsvTable.Read("no/such/runs.csv"));
        Assert.Equal("no/such/runs.csv: no such file", e.Message);
    }
}
