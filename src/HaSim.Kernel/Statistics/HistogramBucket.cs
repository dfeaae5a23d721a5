namespace HaSim.Kernel.Statistics;

/// <summary>
/// One bucket of a <see cref="LogLinearHistogram"/>: the <paramref name="Count"/> recorded values
/// that fell into the closed integer range [<paramref name="LowInclusive"/>,
/// <paramref name="HighInclusive"/>]. Both bounds are inclusive so that the top bucket can end at
/// <see cref="long.MaxValue"/> without overflow, and so that a CSV row says exactly which values
/// it covers.
/// </summary>
public readonly record struct HistogramBucket(long LowInclusive, long HighInclusive, long Count);
