using HaSim.Primitives;

namespace HaSim.Checkers;

/// <summary>Parameters of a full check: the liveness bound (derived from the failover settings, e.g. ttl + loop_wait + promotion time), the client outage threshold, and how many commits each finding lists.</summary>
public sealed record CheckOptions(Duration LivenessBound, OutageThreshold ClientOutage, int MaxListedCommits = CheckOptions.DefaultMaxListedCommits)
{
    public const int DefaultMaxListedCommits = 1000;
}

/// <summary>Every checker and meter over one run, in one call.</summary>
public static class HistoryChecks
{
    public static CheckReport Run(RunHistory history, CheckOptions options) => new(
        Verdicts(history, options),
        ClientRtoMeter.Measure(history, options.ClientOutage),
        ControllerRtoMeter.Measure(history),
        NoWritablePrimaryMeter.Measure(history));

    /// <summary>The four invariants alone, without the RTO meters: what exploring and shrinking judge a run by.</summary>
    public static InvariantVerdicts Verdicts(RunHistory history, CheckOptions options) => new(
        DurabilityChecker.Check(history, options.MaxListedCommits),
        SingleWriterChecker.Check(history, options.MaxListedCommits),
        FreshPromotionChecker.Check(history, options.MaxListedCommits),
        LivenessChecker.Check(history, options.LivenessBound));
}

/// <summary>The four invariants' verdicts over one run.</summary>
public sealed record InvariantVerdicts(
    DurabilityResult Durability,
    SingleWriterResult SingleWriter,
    FreshPromotionResult FreshPromotion,
    LivenessResult Liveness)
{
    /// <summary>The names of the violated invariants, in a fixed order (durability, single-writer, fresh-promotion, liveness), as explore reports them.</summary>
    public IReadOnlyList<string> Violations
    {
        get
        {
            var names = new List<string>(4);
            if (!Durability.Holds)
            {
                names.Add("durability");
            }
            if (!SingleWriter.Holds)
            {
                names.Add("single-writer");
            }
            if (!FreshPromotion.Holds)
            {
                names.Add("fresh-promotion");
            }
            if (!Liveness.Holds)
            {
                names.Add("liveness");
            }
            return names;
        }
    }

    public bool AllHold => Violations.Count == 0;

    /// <summary>One line per invariant, in the order of <see cref="Violations"/>.</summary>
    public IReadOnlyList<string> SummaryLines => [Durability.Summary, SingleWriter.Summary, FreshPromotion.Summary, Liveness.Summary];
}

/// <summary>The four invariants' verdicts and the three meters of one run.</summary>
public sealed record CheckReport(
    InvariantVerdicts Verdicts,
    ClientRtoResult ClientRto,
    ControllerRtoResult ControllerRto,
    NoWritablePrimaryResult NoWritablePrimary)
{
    public DurabilityResult Durability => Verdicts.Durability;
    public SingleWriterResult SingleWriter => Verdicts.SingleWriter;
    public FreshPromotionResult FreshPromotion => Verdicts.FreshPromotion;
    public LivenessResult Liveness => Verdicts.Liveness;

    /// <inheritdoc cref="InvariantVerdicts.Violations"/>
    public IReadOnlyList<string> Violations => Verdicts.Violations;

    public bool AllHold => Verdicts.AllHold;

    /// <summary>One line per checker and meter, in a fixed order.</summary>
    public IReadOnlyList<string> SummaryLines =>
    [
        .. Verdicts.SummaryLines, ClientRto.Summary, ControllerRto.Summary, NoWritablePrimary.Summary,
    ];
}
