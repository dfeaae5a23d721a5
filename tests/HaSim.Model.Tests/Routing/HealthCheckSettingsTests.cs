using HaSim.Model.Routing;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Routing;

public class HealthCheckSettingsTests
{
    [Fact]
    public void DefaultsAreHaproxys()
    {
        var settings = new HealthCheckSettings();
        Assert.Equal(Duration.FromSeconds(2), settings.Inter);
        Assert.Equal(Duration.FromSeconds(2), settings.EffectiveFastInter);
        Assert.Equal(Duration.FromSeconds(2), settings.EffectiveDownInter);
        Assert.Equal(2, settings.Rise);
        Assert.Equal(3, settings.Fall);
        Assert.Null(settings.TimeoutCheck);
        Assert.Equal(ServerInitState.Up, settings.InitState);
        Assert.False(settings.OnMarkedDownShutdownSessions);
        Assert.Empty(settings.Errors());
    }

    [Fact]
    public void WithoutTimeoutCheckTheWholeCheckMustFitInInter()
    {
        var settings = new HealthCheckSettings { Inter = Duration.FromSeconds(3), TimeoutConnect = Duration.FromSeconds(1) };
        Assert.Equal(Duration.FromSeconds(3), settings.ConnectBudget);
    }

    [Fact]
    public void WithTimeoutCheckTheConnectPhaseIsBoundedByTimeoutConnectAndInter()
    {
        // Patroni's template: inter 3s, timeout connect 4s, timeout check 5s: min(4s, 3s).
        Assert.Equal(Duration.FromSeconds(3), HealthCheckSettings.PatroniTemplate.ConnectBudget);
        var shortConnect = HealthCheckSettings.PatroniTemplate with { TimeoutConnect = Duration.FromSeconds(1) };
        Assert.Equal(Duration.FromSeconds(1), shortConnect.ConnectBudget);
    }

    [Fact]
    public void EveryProblemIsReportedByName()
    {
        var settings = new HealthCheckSettings
        {
            Inter = Duration.Zero,
            FastInter = Duration.FromSeconds(-1),
            Rise = 0,
            Fall = 0,
            TimeoutCheck = Duration.Zero,
        };
        var errors = settings.Errors();
        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("inter must be positive", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("fastinter must be positive (got -1s)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("timeout check must be positive", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rise must be at least 1 (got 0)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("fall must be at least 1 (got 0)", StringComparison.Ordinal));

        var thrown = Assert.Throws<ArgumentException>(() => new ServerHealthCheck(settings, Instant.Start));
        Assert.Contains("rise must be at least 1", thrown.Message, StringComparison.Ordinal);
    }
}
