namespace HaSim.Experiments.Tests.Loading;

/// <summary>Small models for tests; error cases append to <see cref="Minimal"/>, whose lines are numbered here.</summary>
internal static class ModelTexts
{
    /// <summary>Ten lines; anything appended starts on line 11.</summary>
    public const string Minimal = """
        name: t
        regions:
          - name: r1
            zones: [a, b]
        nodes:
          - {name: p, zone: a, role: primary}
          - {name: s1, zone: b, role: standby}
          - {name: s2, zone: b, role: standby}
        workload:
          rate: 100

        """;
}
