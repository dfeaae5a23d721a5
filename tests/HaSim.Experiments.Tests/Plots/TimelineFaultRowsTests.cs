using HaSim.Experiments.Plots;

namespace HaSim.Experiments.Tests.Plots;

public class TimelineFaultRowsTests
{
    /// <summary>
    /// Faults (with their labels) that overlap go to different rows; one that starts after a row
    /// is free again reuses it; as many rows as the most extents overlapping at once.
    /// </summary>
    [Fact]
    public void OverlappingFaultsGetRowsOfTheirOwnAndLaterOnesReuseThem()
    {
        // A partition's two directions (same span), a crash inside them, and a stall after them all.
        var rows = TimelineFigure.RowsWithoutOverlap([(40, 120), (40, 120), (60, 180), (120, 150), (185, 190)]);
        Assert.Equal([0, 1, 2, 0, 0], rows);
    }

    [Fact]
    public void AFaultEndingWhereTheNextStartsSharesItsRow()
    {
        Assert.Equal([0, 0, 0], TimelineFigure.RowsWithoutOverlap([(0, 10), (10, 20), (20, 30)]));
        Assert.Empty(TimelineFigure.RowsWithoutOverlap([]));
    }
}
