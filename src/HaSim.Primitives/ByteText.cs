using System.Globalization;

namespace HaSim.Primitives;

/// <summary>
/// Byte sizes and data rates as text. Sizes follow PostgreSQL's units, where kB, MB, GB and TB
/// are multiples of 1024 (so settings such as maximum_lag_on_failover paste unchanged); KiB, MiB,
/// GiB and TiB are accepted as synonyms. Rates are a size per second (<c>200MB/s</c>) or, as
/// networks are quoted, decimal bits per second (<c>10Gbps</c>, <c>100Mbps</c>).
/// </summary>
public static class ByteText
{
    public const string ExpectedSize = "a size such as 512B, 8kB, 16MB or 1GB (kB = 1024 bytes, as in PostgreSQL; KiB, MiB, GiB also accepted)";
    public const string ExpectedRate = "a rate such as 200MB/s or 10Gbps (sizes per second, or decimal bits per second: bps, kbps, Mbps, Gbps)";

    private static readonly (string Suffix, decimal Bytes)[] SizeUnits =
    [
        ("B", 1m), ("kB", 1024m), ("KB", 1024m), ("KiB", 1024m),
        ("MB", 1024m * 1024), ("MiB", 1024m * 1024),
        ("GB", 1024m * 1024 * 1024), ("GiB", 1024m * 1024 * 1024),
        ("TB", 1024m * 1024 * 1024 * 1024), ("TiB", 1024m * 1024 * 1024 * 1024),
    ];

    private static readonly (string Suffix, decimal BitsPerSecond)[] BitRateUnits =
    [
        ("bps", 1m), ("kbps", 1e3m), ("Mbps", 1e6m), ("Gbps", 1e9m), ("Tbps", 1e12m),
    ];

    /// <summary>Parses a size into whole bytes (a fractional byte count is rounded to the nearest byte).</summary>
    public static bool TryParseSize(string? text, out long bytes, out string error)
    {
        bytes = 0;
        if (!SplitNumber(text, out var number, out var unit))
        {
            error = $"'{text}' is not {ExpectedSize}";
            return false;
        }
        foreach (var (suffix, factor) in SizeUnits)
        {
            if (unit == suffix)
            {
                var value = decimal.Round(number * factor, MidpointRounding.AwayFromZero);
                if (value > long.MaxValue)
                {
                    error = $"'{text}' is too large a size";
                    return false;
                }
                bytes = (long)value;
                error = "";
                return true;
            }
        }
        error = unit.Length == 0 ? $"'{text}' has no unit; expected {ExpectedSize}" : $"'{text}' has an unknown unit '{unit}'; expected {ExpectedSize}";
        return false;
    }

    /// <summary>Parses a rate into bytes per second.</summary>
    public static bool TryParseRate(string? text, out double bytesPerSecond, out string error)
    {
        bytesPerSecond = 0;
        if (!SplitNumber(text, out var number, out var unit))
        {
            error = $"'{text}' is not {ExpectedRate}";
            return false;
        }
        foreach (var (suffix, bits) in BitRateUnits)
        {
            if (unit == suffix)
            {
                bytesPerSecond = (double)(number * bits / 8m);
                error = "";
                return true;
            }
        }
        if (unit.EndsWith("/s", StringComparison.Ordinal))
        {
            var sizeUnit = unit[..^2];
            foreach (var (suffix, factor) in SizeUnits)
            {
                if (sizeUnit == suffix)
                {
                    bytesPerSecond = (double)(number * factor);
                    error = "";
                    return true;
                }
            }
        }
        error = unit.Length == 0 ? $"'{text}' has no unit; expected {ExpectedRate}" : $"'{text}' has an unknown unit '{unit}'; expected {ExpectedRate}";
        return false;
    }

    /// <summary>Prints a byte count with the largest PostgreSQL unit that divides it exactly.</summary>
    public static string FormatSize(long bytes)
    {
        for (var i = SizeUnits.Length - 1; i > 0; i--)
        {
            var (suffix, factor) = SizeUnits[i];
            if (suffix is "KB" or "KiB" or "MiB" or "GiB" or "TiB")
            {
                continue;
            }
            if (bytes != 0 && bytes % (long)factor == 0)
            {
                return (bytes / (long)factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture) + "B";
    }

    private static bool SplitNumber(string? text, out decimal number, out string unit)
    {
        number = 0;
        unit = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }
        if (i == 0 || !decimal.TryParse(s.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }
        unit = s[i..].Trim();
        return true;
    }
}
