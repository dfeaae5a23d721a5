using HaSim.Model.Routing;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Routing;

/// <summary>
/// The proxy-detection term of the Patroni + HAProxy RTO model (numbers.md 3.4, Pigsty's plans):
/// after a promotion the new primary's server, DOWN and checked every inter, passes its first check
/// within inter, then needs rise - 1 more passes, fastinter apart. So detection lies in
/// [(rise-1)·fastinter, (rise-1)·fastinter + inter].
/// </summary>
public class DetectionDelayTests
{
    private static readonly NodeId Node = new(1);

    // Pigsty's pg_rto_plan (inter, fastinter, rise), with fall = 3 and downinter unset (= inter).
    public static TheoryData<string, string, string, int> Plans => new()
    {
        { "fast", "1s", "0.5s", 3 },
        { "norm", "2s", "1s", 3 },
        { "safe", "3s", "1.5s", 3 },
        { "wide", "4s", "2s", 3 },
    };

    private static HealthCheckSettings Plan(string inter, string fastInter, int rise) => new()
    {
        Inter = Duration.Parse(inter),
        FastInter = Duration.Parse(fastInter),
        Rise = rise,
        Fall = 3,
        InitState = ServerInitState.FullyDown,
    };

    /// <summary>Checks a replica promoted at <paramref name="promotedAt"/>; returns its first passed check and when it went UP.</summary>
    private static (Instant FirstPass, Instant Up) Promote(HealthCheckSettings settings, Instant promotedAt)
    {
        var check = new ServerHealthCheck(settings, Instant.Start);
        Instant? firstPass = null;
        while (true)
        {
            var at = check.NextCheckAt;
            var passed = at >= promotedAt;
            if (passed)
            {
                firstPass ??= at;
            }
            if (check.OnCheckResult(at, check.StartCheck(at), passed))
            {
                Assert.True(check.IsUp);
                return (firstPass!.Value, at);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void TheNewPrimaryComesUpExactlyRiseMinusOneFastintersAfterItsFirstPass(string plan, string inter, string fastInter, int rise)
    {
        var settings = Plan(inter, fastInter, rise);
        var (firstPass, up) = Promote(settings, Instant.Parse("30.3s"));
        Assert.True(up - firstPass == (rise - 1) * settings.EffectiveFastInter, plan);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void DetectionStaysWithinTheModelsBoundsAndReachesThem(string plan, string inter, string fastInter, int rise)
    {
        var settings = Plan(inter, fastInter, rise);
        var min = (rise - 1) * settings.EffectiveFastInter;
        var max = min + settings.Inter;
        // The DOWN server is checked at 0, inter, 2·inter, ...: sweep the promotion across one period.
        var period = settings.Inter;
        var checkAt = Instant.Start + 30 * period;
        var observed = new List<Duration>();
        for (var step = 0; step < 40; step++)
        {
            var promotedAt = checkAt + Duration.FromNanoseconds(1) + (period - Duration.FromNanoseconds(1)) * step / 40;
            var detection = Promote(settings, promotedAt).Up - promotedAt;
            Assert.True(detection >= min && detection <= max, $"{plan}: detection {detection} outside [{min}, {max}]");
            observed.Add(detection);
        }
        // Promoted the instant a check runs: the minimum. Promoted just after one: the maximum, less 1 ns.
        Assert.Equal(min, Promote(settings, checkAt).Up - checkAt);
        Assert.Equal(max - Duration.FromNanoseconds(1), observed[0]);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void ADeadPrimaryGoesDownWithinFallMinusOneFastintersPlusInter(string plan, string inter, string fastInter, int rise)
    {
        // The mirror image, for the old primary whose connections are refused from the crash on.
        var settings = Plan(inter, fastInter, rise) with { InitState = ServerInitState.FullyUp };
        var crashAt = Instant.Parse("20.7s");
        var check = new ServerHealthCheck(settings, Instant.Start);
        while (true)
        {
            var at = check.NextCheckAt;
            if (check.OnCheckResult(at, check.StartCheck(at), passed: at < crashAt))
            {
                var min = (settings.Fall - 1) * settings.EffectiveFastInter;
                var detection = at - crashAt;
                Assert.True(detection >= min && detection <= min + settings.Inter, $"{plan}: {detection}");
                return;
            }
        }
    }
}
