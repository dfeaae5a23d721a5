using System.Globalization;

namespace HaSim.Experiments.Loading;

/// <summary>An interval of allowed numbers, which also says itself in messages: "> 0", "in [0, 1)".</summary>
internal readonly record struct NumberRange(double Min, bool MinInclusive, double Max, bool MaxInclusive)
{
    /// <summary>Greater than zero: rates of arrival.</summary>
    public static readonly NumberRange Positive = new(0, false, double.PositiveInfinity, false);

    /// <summary>[0, 1]: fractions such as read_fraction.</summary>
    public static readonly NumberRange Fraction = new(0, true, 1, true);

    /// <summary>[0, 1): a loss probability of 1 would retransmit forever.</summary>
    public static readonly NumberRange LossProbability = new(0, true, 1, false);

    /// <summary>At least one: growth factors such as a retry backoff's multiplier.</summary>
    public static readonly NumberRange AtLeastOne = new(1, true, double.PositiveInfinity, false);

    public bool Contains(double value) =>
        (MinInclusive ? value >= Min : value > Min) && (MaxInclusive ? value <= Max : value < Max);

    public override string ToString() => double.IsPositiveInfinity(Max)
        ? string.Create(CultureInfo.InvariantCulture, $"{(MinInclusive ? ">=" : ">")} {Min}")
        : string.Create(CultureInfo.InvariantCulture, $"in {(MinInclusive ? '[' : '(')}{Min}, {Max}{(MaxInclusive ? ']' : ')')}");
}
