using HaSim.Kernel;
using HaSim.Model.Routing;
using HaSim.Primitives;

namespace HaSim.Model.Tests.Routing;

public class ClientWriteTests
{
    private static readonly RetryPolicy Policy = new()
    {
        BackoffBase = Duration.FromMilliseconds(100),
        BackoffCap = Duration.FromSeconds(1),
        Multiplier = 2,
        MaxAttempts = 5,
        Deadline = null,
    };

    // Thirty attempts, backing off to at most 1 s: a chain of about 15 s.
    private static readonly RetryPolicy LongPolicy = Policy with { MaxAttempts = 30 };

    private static Instant T(string text) => Instant.Parse(text);

    private static RetryingClient Client(RetryPolicy policy) => new(policy, new IndexedRandom(7, "client/0"));

    [Fact]
    public void RetriesAreScheduledFromTheClientsStreamByWriteAndAttemptAndEveryAttemptIsReported()
    {
        var client = Client(Policy);
        var reported = new List<WriteAttempt>();
        client.AttemptEnded += (w, attempt) =>
        {
            Assert.Equal(1, w.Id);
            reported.Add(attempt);
        };
        var write = client.Begin(id: 1, T("1s"));
        var jitter = new IndexedRandom(7, "client/0");

        var firstRetry = write.OnAttemptFailed(T("1s"), AttemptFailure.NoServerUp);
        Assert.Equal(T("1s") + Policy.NextDelay(1, jitter.UnitAt(1, 1)), firstRetry);
        var secondFailure = firstRetry!.Value + Duration.FromMilliseconds(5);
        var secondRetry = write.OnAttemptFailed(secondFailure, AttemptFailure.ConnectionRefused);
        Assert.Equal(secondFailure + Policy.NextDelay(2, jitter.UnitAt(1, 2)), secondRetry);
        Assert.Equal(WriteOutcome.Pending, write.Outcome);
        var acked = secondRetry!.Value + Duration.FromMilliseconds(3);
        write.OnAcknowledged(acked);

        Assert.Equal(WriteOutcome.Acknowledged, write.Outcome);
        Assert.Equal(T("1s"), write.FirstAttemptAt);
        Assert.Equal(acked, write.CompletedAt);
        Assert.Equal(
            [
                new WriteAttempt(1, T("1s"), T("1s"), AttemptResult.Failed, AttemptFailure.NoServerUp),
                new WriteAttempt(2, firstRetry.Value, secondFailure, AttemptResult.Failed, AttemptFailure.ConnectionRefused),
                new WriteAttempt(3, secondRetry.Value, acked, AttemptResult.Acknowledged, null),
            ],
            reported);
        Assert.Equal(3, write.AttemptCount);
        Assert.Equal(reported[^1], write.LastAttempt);
    }

    [Fact]
    public void TheClientGivesUpAfterMaxAttempts()
    {
        var write = Client(Policy with { MaxAttempts = 3 }).Begin(id: 2, T("0s"));
        var at = T("0s");
        for (var attempt = 1; attempt < 3; attempt++)
        {
            at = write.OnAttemptFailed(at, AttemptFailure.ConnectTimeout)!.Value;
        }
        Assert.Null(write.OnAttemptFailed(at, AttemptFailure.ConnectTimeout));
        Assert.Equal(WriteOutcome.Failed, write.Outcome);
        Assert.Equal(at, write.CompletedAt);
        Assert.Equal(3, write.AttemptCount);
        Assert.Throws<InvalidOperationException>(() => write.OnAttemptFailed(at, AttemptFailure.ConnectTimeout));
        Assert.Throws<InvalidOperationException>(() => write.OnAcknowledged(at));
    }

    [Fact]
    public void NoAttemptStartsAfterTheDeadline()
    {
        var policy = Policy with { BackoffBase = Duration.FromSeconds(1), MaxAttempts = 1000, Deadline = Duration.FromSeconds(5) };
        var client = Client(policy);
        var started = new List<Instant>();
        client.AttemptEnded += (_, attempt) => started.Add(attempt.StartedAt);
        var write = client.Begin(id: 3, T("10s"));
        var at = T("10s");
        while (write.OnAttemptFailed(at, AttemptFailure.NoServerUp) is { } retryAt)
        {
            at = retryAt;
        }
        Assert.Equal(WriteOutcome.Failed, write.Outcome);
        Assert.True(write.AttemptCount > 3);
        Assert.Equal(write.AttemptCount, started.Count);
        Assert.All(started, at => Assert.True(at <= T("15s")));
    }

    [Fact]
    public void ALostAnswerMakesTheOutcomeUnknownNotFailedAndIsNotRetried()
    {
        var write = Client(Policy).Begin(id: 4, T("0s"));
        var retryAt = write.OnAttemptFailed(T("0s"), AttemptFailure.SessionCut)!.Value;
        write.OnOutcomeUnknown(retryAt + Duration.FromSeconds(2));

        Assert.Equal(WriteOutcome.Unknown, write.Outcome);
        Assert.Equal(AttemptResult.OutcomeUnknown, write.LastAttempt!.Value.Result);
        Assert.Null(write.LastAttempt!.Value.Failure);
        Assert.Equal(2, write.AttemptCount);
        Assert.Throws<InvalidOperationException>(() => write.OnAttemptFailed(retryAt + Duration.FromSeconds(3), AttemptFailure.Rejected));
    }

    [Fact]
    public void AnAttemptCannotEndBeforeItStarts()
    {
        var write = Client(Policy with { BackoffBase = Duration.FromSeconds(1) }).Begin(id: 5, T("0s"));
        var retryAt = write.OnAttemptFailed(T("0s"), AttemptFailure.Rejected)!.Value;
        Assert.True(retryAt > T("0s"));
        Assert.Throws<ArgumentOutOfRangeException>(() => write.OnAcknowledged(T("0s")));
        Assert.Equal(retryAt, write.CurrentAttemptAt);
    }

    [Theory]
    [InlineData(5, null)]
    [InlineData(1000, 5)]
    public void TheLastAttemptWorkedOutAheadIsWhereFailingEveryAttemptEnds(int maxAttempts, int? deadlineSeconds)
    {
        var policy = Policy with
        {
            MaxAttempts = maxAttempts,
            Deadline = deadlineSeconds is { } s ? Duration.FromSeconds(s) : null,
        };
        var write = Client(policy).Begin(id: 6, T("2s"));
        var firstRetry = write.OnAttemptFailed(T("2s"), AttemptFailure.NoServerUp)!.Value;

        var predicted = write.LastAttemptIfEveryAttemptFails();
        Assert.Equal(1, write.AttemptCount); // working it out changes nothing
        Assert.Equal(firstRetry, write.CurrentAttemptAt);

        var at = firstRetry;
        while (write.OnAttemptFailed(at, AttemptFailure.NoServerUp) is { } retryAt)
        {
            at = retryAt;
        }
        Assert.Equal(predicted, at);
        Assert.Equal(at, write.CompletedAt);
        Assert.Equal(WriteOutcome.Failed, write.Outcome);
        Assert.Throws<InvalidOperationException>(() => write.LastAttemptIfEveryAttemptFails());

        // Failing every remaining attempt at once ends the same way, with or without a forecast and
        // with or without someone listening to every attempt.
        foreach (var (forecast, listen) in new[] { (true, false), (false, false), (true, true) })
        {
            var client = Client(policy);
            var reported = 0;
            if (listen)
            {
                client.AttemptEnded += (_, _) => reported++;
            }
            var same = client.Begin(id: 6, T("2s"));
            same.OnAttemptFailed(T("2s"), AttemptFailure.NoServerUp);
            if (forecast)
            {
                same.LastAttemptIfEveryAttemptFails();
            }
            Assert.Equal(at, same.FailEveryRemainingAttempt(AttemptFailure.NoServerUp));
            Assert.Equal((write.AttemptCount, write.LastAttempt, write.CompletedAt, write.Outcome), (same.AttemptCount, same.LastAttempt, same.CompletedAt, same.Outcome));
            Assert.Equal(listen ? write.AttemptCount : 0, reported);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FailingTheAttemptsBeforeAnInstantIsFailingEachAtItsStart(bool listen)
    {
        var one = Client(LongPolicy).Begin(id: 11, T("0s"));
        var client = Client(LongPolicy);
        var reported = new List<WriteAttempt>();
        if (listen)
        {
            client.AttemptEnded += (_, attempt) => reported.Add(attempt);
        }
        var bulk = client.Begin(id: 11, T("0s"));
        var resumeAt = T("7.5s");
        while (one.CurrentAttemptAt < resumeAt)
        {
            one.OnAttemptFailed(one.CurrentAttemptAt, AttemptFailure.NoServerUp);
        }
        bulk.FailAttemptsStartingBefore(resumeAt, AttemptFailure.NoServerUp);

        Assert.True(bulk.AttemptCount > 3);
        Assert.Equal((one.AttemptCount, one.LastAttempt, one.CurrentAttemptAt, one.Outcome), (bulk.AttemptCount, bulk.LastAttempt, bulk.CurrentAttemptAt, bulk.Outcome));
        Assert.Equal(listen ? bulk.AttemptCount : 0, reported.Count);
        bulk.FailAttemptsStartingBefore(resumeAt, AttemptFailure.NoServerUp); // nothing starts before it now
        Assert.Equal(one.AttemptCount, bulk.AttemptCount);
    }

    [Fact]
    public void FailingTheAttemptsBeforeAnInstantPastTheGiveUpThrows()
    {
        var write = Client(Policy with { MaxAttempts = 3, Deadline = null }).Begin(id: 12, T("0s"));
        Assert.Throws<InvalidOperationException>(() => write.FailAttemptsStartingBefore(T("1h"), AttemptFailure.NoServerUp));
    }

    [Fact]
    public void AWritesRetriesDoNotDependOnOtherWritesFailingInBetween()
    {
        var alone = Client(Policy).Begin(id: 7, T("0s"));
        var aloneRetry = alone.OnAttemptFailed(T("0s"), AttemptFailure.NoServerUp);

        var client = Client(Policy);
        var other = client.Begin(id: 8, T("0s"));
        other.OnAttemptFailed(T("0s"), AttemptFailure.NoServerUp);
        var interleaved = client.Begin(id: 7, T("0s"));
        Assert.Equal(aloneRetry, interleaved.OnAttemptFailed(T("0s"), AttemptFailure.NoServerUp));
    }

    /// <summary>
    /// The walk that works out a chain of failing attempts ahead (a block of jitter draws at a time
    /// where the hardware allows) lands where failing each attempt at its start, one retry at a
    /// time, does: for thousands of writes under policies that stop on max attempts, on the
    /// deadline, on a single attempt, and with a cap too large for the blocks (the one-by-one walk).
    /// </summary>
    [Theory]
    [InlineData(100, 5_000, 2.0, 30, 120)]
    [InlineData(100, 5_000, 2.0, 30, null)]
    [InlineData(1, 1, 1.0, 7, null)]
    [InlineData(3, 250_000, 1.7, 1_000, 600)]
    [InlineData(100, 5_000, 2.0, 1, null)]
    [InlineData(100, 5_000, 2.0, 2, 1)]
    [InlineData(1_000, 9_100_000_000_000, 1_000.0, 6, 3_600)] // a ceiling past 9e18 ns: the one-by-one walk
    public void WorkingOutAChainAheadIsFailingEachAttemptAtItsStart(long baseMs, long capMs, double multiplier, int maxAttempts, int? deadlineSeconds)
    {
        var policy = new RetryPolicy
        {
            BackoffBase = Duration.FromMilliseconds(baseMs),
            BackoffCap = Duration.FromMilliseconds(capMs),
            Multiplier = multiplier,
            MaxAttempts = maxAttempts,
            Deadline = deadlineSeconds is { } s ? Duration.FromSeconds(s) : null,
        };
        var ahead = Client(policy);
        var stepped = Client(policy);
        for (long id = 1; id <= 2_000; id++)
        {
            var start = Instant.Start + Duration.FromMilliseconds(id * 37);
            var forecast = ahead.Begin(id, start);
            var oneByOne = stepped.Begin(id, start);
            var giveUp = forecast.LastAttemptIfEveryAttemptFails();
            var at = start;
            var resumed = false;
            var resumeAt = start + Duration.FromMilliseconds(id * 7919 % 90_000);
            while (oneByOne.OnAttemptFailed(at, AttemptFailure.NoServerUp) is { } retryAt)
            {
                at = retryAt;
                if (!resumed && at >= resumeAt)
                {
                    // The resume walk stops at the first attempt at or after resumeAt: the same one.
                    var resume = ahead.Begin(id, start);
                    resume.FailAttemptsStartingBefore(resumeAt, AttemptFailure.NoServerUp);
                    Assert.Equal((oneByOne.AttemptCount, oneByOne.CurrentAttemptAt), (resume.AttemptCount, resume.CurrentAttemptAt));
                    resumed = true;
                }
            }
            Assert.Equal(at, giveUp);

            // Resuming at the very instant an attempt starts runs that attempt, not the one after.
            if (oneByOne.AttemptCount >= 3)
            {
                var chain = stepped.Begin(id, start);
                chain.OnAttemptFailed(start, AttemptFailure.NoServerUp);
                chain.OnAttemptFailed(chain.CurrentAttemptAt, AttemptFailure.NoServerUp);
                var third = ahead.Begin(id, start);
                third.FailAttemptsStartingBefore(chain.CurrentAttemptAt, AttemptFailure.NoServerUp);
                Assert.Equal((2, chain.CurrentAttemptAt), (third.AttemptCount, third.CurrentAttemptAt));
            }
        }
    }
}
