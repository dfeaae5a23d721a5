using HaSim.Model.Routing;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Routing;

public class ServerHealthCheckTests
{
    private static readonly HealthCheckSettings Distinct = new()
    {
        Inter = Duration.FromSeconds(2),
        FastInter = Duration.FromMilliseconds(500),
        DownInter = Duration.FromSeconds(5),
        Rise = 2,
        Fall = 3,
        InitState = ServerInitState.FullyUp,
    };

    private static Instant T(string text) => Instant.Parse(text);

    /// <summary>Runs the due check with an answer at the same instant; returns whether the state changed.</summary>
    private static bool CheckNow(ServerHealthCheck check, bool passed)
    {
        var at = check.NextCheckAt;
        return check.OnCheckResult(at, check.StartCheck(at), passed);
    }

    [Fact]
    public void FallThenRiseFollowHaproxysIntervalRules()
    {
        // inter while fully UP, fastinter while counting, downinter while fully DOWN; each interval
        // counted from the end of the check that chose it.
        var check = new ServerHealthCheck(Distinct, T("0s"));
        var table = new (bool Passed, string At, ServerCheckState State, bool Changed, string Next)[]
        {
            (true,  "0s",    ServerCheckState.Up,        false, "2s"),
            (false, "2s",    ServerCheckState.GoingDown, false, "2.5s"),
            (false, "2.5s",  ServerCheckState.GoingDown, false, "3s"),
            (false, "3s",    ServerCheckState.Down,      true,  "8s"),
            (false, "8s",    ServerCheckState.Down,      false, "13s"),
            (true,  "13s",   ServerCheckState.GoingUp,   false, "13.5s"),
            (true,  "13.5s", ServerCheckState.Up,        true,  "15.5s"),
            (true,  "15.5s", ServerCheckState.Up,        false, "17.5s"),
        };
        foreach (var row in table)
        {
            Assert.Equal(T(row.At), check.NextCheckAt);
            Assert.Equal(row.Changed, CheckNow(check, row.Passed));
            Assert.Equal(row.State, check.State);
            Assert.Equal(row.State is ServerCheckState.Up or ServerCheckState.GoingDown, check.IsUp);
            Assert.Equal(T(row.Next), check.NextCheckAt);
        }
    }

    [Fact]
    public void APassWhileGoingDownForgetsTheFailures()
    {
        var check = new ServerHealthCheck(Distinct, T("0s"));
        CheckNow(check, false);
        CheckNow(check, false);
        CheckNow(check, true);
        Assert.Equal(ServerCheckState.Up, check.State);
        Assert.Equal(Distinct.Rise + Distinct.Fall - 1, check.Health);
        // A full run of fall failures is needed again.
        Assert.False(CheckNow(check, false));
        Assert.False(CheckNow(check, false));
        Assert.True(CheckNow(check, false));
        Assert.False(check.IsUp);
    }

    [Fact]
    public void AFailureWhileGoingUpForgetsTheSuccesses()
    {
        var check = new ServerHealthCheck(Distinct with { Rise = 3, InitState = ServerInitState.FullyDown }, T("0s"));
        CheckNow(check, true);
        CheckNow(check, true);
        Assert.Equal(ServerCheckState.GoingUp, check.State);
        CheckNow(check, false);
        Assert.Equal(ServerCheckState.Down, check.State);
        Assert.Equal(0, check.Health);
        Assert.False(CheckNow(check, true));
        Assert.False(CheckNow(check, true));
        Assert.True(CheckNow(check, true));
        Assert.True(check.IsUp);
    }

    [Theory]
    // init-state: starting flag, first interval ("yet unchecked" servers use fastinter unless at
    // either end of the counter), and how many identical verdicts flip the flag.
    [InlineData(ServerInitState.Up, true, "500ms", 1)]
    [InlineData(ServerInitState.FullyUp, true, "2s", 3)]
    [InlineData(ServerInitState.Down, false, "500ms", 1)]
    [InlineData(ServerInitState.FullyDown, false, "5s", 2)]
    public void InitStatesStartWhereHaproxyDocumentsThem(ServerInitState initState, bool up, string firstInterval, int verdictsToFlip)
    {
        var check = new ServerHealthCheck(Distinct with { InitState = initState }, T("0s"));
        Assert.Equal(up, check.IsUp);
        Assert.Equal(Duration.Parse(firstInterval), check.CurrentInterval);
        for (var i = 1; i < verdictsToFlip; i++)
        {
            Assert.False(CheckNow(check, passed: !up));
        }
        Assert.True(CheckNow(check, passed: !up));
        Assert.Equal(!up, check.IsUp);
    }

    [Fact]
    public void TheNextCheckIsCountedFromTheEndOfTheCheck()
    {
        var check = new ServerHealthCheck(Distinct, T("0s"));
        var id = check.StartCheck(T("0s"));
        Assert.Equal(Instant.MaxValue, check.NextCheckAt);
        check.OnCheckResult(T("300ms"), id, passed: true);
        Assert.Equal(T("2.3s"), check.NextCheckAt);
    }

    [Fact]
    public void WithoutTimeoutCheckACheckUnansweredWithinInterFails()
    {
        var check = new ServerHealthCheck(Distinct, T("0s"));
        var id = check.StartCheck(T("0s"));
        Assert.Equal(T("2s"), check.CheckDeadline);
        check.OnConnected(T("1s"), id);
        Assert.Equal(T("2s"), check.CheckDeadline);
        Assert.False(check.OnTimer(T("1.999999999s")));
        Assert.True(check.IsCheckInProgress);
        Assert.False(check.OnTimer(T("2s")));
        Assert.False(check.IsCheckInProgress);
        Assert.Equal(ServerCheckState.GoingDown, check.State);
        Assert.Equal(T("2.5s"), check.NextCheckAt);
    }

    [Fact]
    public void WithTimeoutCheckTheResponseGetsItsOwnBudgetOnceConnected()
    {
        var check = new ServerHealthCheck(HealthCheckSettings.PatroniTemplate, T("0s"));
        var id = check.StartCheck(T("0s"));
        Assert.Equal(T("3s"), check.CheckDeadline); // min(timeout connect 4s, inter 3s)
        check.OnConnected(T("1s"), id);
        Assert.Equal(T("6s"), check.CheckDeadline); // timeout check 5s from the connection
        Assert.False(check.OnTimer(T("3s"))); // the connect-phase timer is now stale
        check.OnCheckResult(T("6s"), id, passed: true); // an answer at the deadline counts
        Assert.Equal(ServerCheckState.Up, check.State);
    }

    [Fact]
    public void TheAnswerToACheckThatTimedOutIsIgnored()
    {
        var check = new ServerHealthCheck(Distinct, T("0s"));
        var first = check.StartCheck(T("0s"));
        check.OnTimer(T("2s"));
        Assert.False(check.OnCheckResult(T("2.1s"), first, passed: true));
        var second = check.StartCheck(check.NextCheckAt);
        Assert.False(check.OnCheckResult(T("2.6s"), first, passed: true));
        Assert.True(check.IsCheckInProgress);
        Assert.Equal(ServerCheckState.GoingDown, check.State);
        Assert.Equal(2, second);
    }

    [Fact]
    public void HostMistakesAreRejected()
    {
        var check = new ServerHealthCheck(Distinct, T("1s"));
        Assert.Throws<ArgumentOutOfRangeException>(() => check.StartCheck(T("0.5s")));
        var id = check.StartCheck(T("1s"));
        Assert.Throws<InvalidOperationException>(() => check.StartCheck(T("1s")));
        Assert.Throws<ArgumentOutOfRangeException>(() => check.OnCheckResult(T("1s"), id + 1, passed: true));
        // An answer after the deadline means the host never fired the deadline timer.
        Assert.Throws<InvalidOperationException>(() => check.OnCheckResult(T("3.5s"), id, passed: true));
    }
}
