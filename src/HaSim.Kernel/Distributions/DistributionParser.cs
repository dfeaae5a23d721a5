using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using HaSim.Primitives;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// The hand-written recursive-descent parser for the text form of <see cref="LatencyDistribution"/>.
/// Whitespace is allowed around every token; names are case-sensitive.
/// <code>
/// distribution := duration                                       shorthand for const(duration)
///               | 'const' '(' duration ')'
///               | kind '(' name '=' value (',' name '=' value)* ')'  named, in any order
///               | 'shifted' '(' 'min' '=' duration ',' distribution ')'
///               | 'mix' '(' number ':' distribution (',' number ':' distribution)* ')'
///               | 'empirical' '(' number ':' duration (',' number ':' duration)* ')'
/// </code>
/// Every step either consumes its input and returns true, or records the error (column and what
/// was expected there) and returns false, so no exception escapes on malformed input. Parameter
/// rules (positive, ordered, ...) are not repeated here: each kind's Check method decides them,
/// and the parser only locates the offending value.
/// </summary>
internal sealed class DistributionParser
{
    /// <summary>
    /// Bounds nesting so that hostile text cannot overflow the stack, which would kill the
    /// process rather than throw. Real models nest two or three levels.
    /// </summary>
    public const int MaxDepth = 64;

    private const string AnyDistribution =
        "a distribution (const, uniform, exp, normal, lognormal, gamma, pareto, shifted, mix or empirical, "
        + "such as exp(mean=1ms)) or a bare duration such as 1ms";

    private const string ConstSyntax = "const(<duration>)";
    private const string ShiftedSyntax = "shifted(min=<duration>, <distribution>)";
    private const string MixSyntax = "mix(<weight>: <distribution>, <weight>: <distribution>, ...)";
    private const string EmpiricalSyntax = "empirical(0: <duration>, <probability>: <duration>, ..., 1: <duration>)";

    // The kinds with a syntax of their own (not named parameters), for the lowercase hint.
    private static readonly string[] KindsWithOwnSyntax = ["const", "shifted", "mix", "empirical"];

    /// <summary>The kinds written with named parameters, one entry per accepted set of parameters.</summary>
    private static readonly NamedForm[] NamedForms =
    [
        new("uniform", [DurationParameter("min"), DurationParameter("max")],
            a => UniformLatency.Check(a[0].Duration, a[1].Duration),
            a => new UniformLatency(a[0].Duration, a[1].Duration)),
        new("exp", [DurationParameter("mean")],
            a => ExponentialLatency.Check(a[0].Duration),
            a => new ExponentialLatency(a[0].Duration)),
        new("normal", [DurationParameter("mean"), DurationParameter("sd")],
            a => TruncatedNormalLatency.Check(a[0].Duration, a[1].Duration),
            a => new TruncatedNormalLatency(a[0].Duration, a[1].Duration)),
        new("lognormal", [DurationParameter("median"), DurationParameter("p99")],
            a => LogNormalLatency.CheckMedianAndP99(a[0].Duration, a[1].Duration),
            a => LogNormalLatency.FromMedianAndP99(a[0].Duration, a[1].Duration)),
        new("lognormal", [DurationParameter("median"), NumberParameter("sigma")],
            a => LogNormalLatency.CheckMedianAndSigma(a[0].Duration, a[1].Number),
            a => LogNormalLatency.FromMedianAndSigma(a[0].Duration, a[1].Number)),
        new("lognormal", [NumberParameter("mu"), NumberParameter("sigma")],
            a => LogNormalLatency.CheckMuAndSigma(a[0].Number, a[1].Number),
            a => LogNormalLatency.FromMuAndSigma(a[0].Number, a[1].Number)),
        new("gamma", [NumberParameter("shape"), DurationParameter("scale")],
            a => GammaLatency.CheckShapeAndScale(a[0].Number, a[1].Duration),
            a => GammaLatency.FromShapeAndScale(a[0].Number, a[1].Duration)),
        new("gamma", [NumberParameter("shape"), DurationParameter("mean")],
            a => GammaLatency.CheckShapeAndMean(a[0].Number, a[1].Duration),
            a => GammaLatency.FromShapeAndMean(a[0].Number, a[1].Duration)),
        new("pareto", [DurationParameter("xm"), NumberParameter("alpha")],
            a => ParetoLatency.Check(a[0].Duration, a[1].Number),
            a => new ParetoLatency(a[0].Duration, a[1].Number)),
    ];

    private readonly string _text;
    private int _position;
    private DistributionParseError? _error;

    private readonly DistributionQuantity _quantity;

    private DistributionParser(string text, DistributionQuantity quantity)
    {
        _text = text;
        _quantity = quantity;
    }

    public static bool TryParse(
        string text,
        [NotNullWhen(true)] out LatencyDistribution? distribution,
        [NotNullWhen(false)] out DistributionParseError? error) =>
        TryParse(text, DistributionQuantity.Time, out distribution, out error);

    /// <summary>
    /// Parses a distribution whose values are <paramref name="quantity"/>: with
    /// <see cref="DistributionQuantity.Bytes"/> every place that takes a duration takes a size
    /// instead (<c>8kB</c>), held as one nanosecond per byte.
    /// </summary>
    public static bool TryParse(
        string text,
        DistributionQuantity quantity,
        [NotNullWhen(true)] out LatencyDistribution? distribution,
        [NotNullWhen(false)] out DistributionParseError? error)
    {
        var parser = new DistributionParser(text, quantity);
        if (parser.TryDistribution(depth: 1, out distribution) && parser.TryEnd())
        {
            error = null;
            return true;
        }
        distribution = null;
        error = parser._error!;
        return false;
    }

    private bool TryDistribution(int depth, [NotNullWhen(true)] out LatencyDistribution? result)
    {
        result = null;
        SkipSpace();
        var start = _position;
        if (depth > MaxDepth)
        {
            return Fail(start, $"distributions nest deeper than {MaxDepth} levels");
        }
        if (AtEnd || IsDelimiter(Current))
        {
            return Fail(start, $"expected {AnyDistribution}, found {Found()}{MissingParenthesisHint()}");
        }
        if (!char.IsAsciiLetter(Current))
        {
            // A bare duration is shorthand for const(duration).
            return TryDuration("a bare duration", AnyDistribution, out var value, out var column)
                && TryCreate(ConstantLatency.Check(value), column, ConstSyntax, () => new ConstantLatency(value), out result);
        }
        var kind = ReadToken();
        switch (kind)
        {
            case "const":
                return TryConstant(out result);
            case "shifted":
                return TryShifted(depth, out result);
            case "mix":
                return TryMixture(depth, out result);
            case "empirical":
                return TryEmpirical(out result);
        }
        var forms = Array.FindAll(NamedForms, form => form.Kind == kind);
        return forms.Length > 0 ? TryNamed(kind, forms, out result) : Fail(start, UnknownKind(kind));
    }

    private bool TryConstant([NotNullWhen(true)] out LatencyDistribution? result)
    {
        result = null;
        return TryExpect('(', "after const", ConstSyntax)
            && TryDuration("the delay of const", ConstSyntax, out var value, out var column)
            && TryExpect(')', "after the delay", ConstSyntax)
            && TryCreate(ConstantLatency.Check(value), column, ConstSyntax, () => new ConstantLatency(value), out result);
    }

    private bool TryShifted(int depth, [NotNullWhen(true)] out LatencyDistribution? result)
    {
        result = null;
        if (!TryExpect('(', "after shifted", ShiftedSyntax))
        {
            return false;
        }
        SkipSpace();
        var nameColumn = _position;
        if (ReadToken() != "min")
        {
            return Fail(nameColumn, $"expected min=<duration> first in shifted; expected {ShiftedSyntax}");
        }
        if (!TryExpect('=', "after min", ShiftedSyntax)
            || !TryDuration("min of shifted", ShiftedSyntax, out var min, out var minColumn)
            || !TryExpect(',', "and the shifted distribution after min", ShiftedSyntax)
            || !TryDistribution(depth + 1, out var inner)
            || !TryExpect(')', "after the shifted distribution", ShiftedSyntax))
        {
            return false;
        }
        return TryCreate(ShiftedLatency.Check(min), minColumn, ShiftedSyntax, () => new ShiftedLatency(min, inner), out result);
    }

    private bool TryMixture(int depth, [NotNullWhen(true)] out LatencyDistribution? result)
    {
        result = null;
        if (!TryExpect('(', "after mix", MixSyntax))
        {
            return false;
        }
        var components = new List<MixtureComponent>();
        var weightColumns = new List<int>();
        var more = true;
        while (more)
        {
            if (!TryNumber("weight in mix", MixSyntax, out var weight, out var column)
                || !TryExpect(':', "after the weight", MixSyntax)
                || !TryDistribution(depth + 1, out var component)
                || !TryNextInList(MixSyntax, out more))
            {
                return false;
            }
            components.Add(new MixtureComponent(weight, component));
            weightColumns.Add(column);
        }
        var problem = MixtureLatency.Check([.. components]);
        return TryCreate(problem, problem is null ? 0 : weightColumns[problem.Entry], MixSyntax, () => new MixtureLatency(components), out result);
    }

    private bool TryEmpirical([NotNullWhen(true)] out LatencyDistribution? result)
    {
        result = null;
        if (!TryExpect('(', "after empirical", EmpiricalSyntax))
        {
            return false;
        }
        var points = new List<QuantilePoint>();
        var columns = new List<(int Probability, int Value)>();
        var more = true;
        while (more)
        {
            if (!TryNumber("probability in empirical", EmpiricalSyntax, out var probability, out var probabilityColumn)
                || !TryExpect(':', "after the probability", EmpiricalSyntax)
                || !TryDuration("duration in empirical", EmpiricalSyntax, out var value, out var valueColumn)
                || !TryNextInList(EmpiricalSyntax, out more))
            {
                return false;
            }
            points.Add(new QuantilePoint(probability, value));
            columns.Add((probabilityColumn, valueColumn));
        }
        var problem = EmpiricalLatency.Check([.. points]);
        var problemColumn = problem is null ? 0
            : problem.Parameter == EmpiricalLatency.ValueParameter ? columns[problem.Entry].Value
            : columns[problem.Entry].Probability;
        return TryCreate(problem, problemColumn, EmpiricalSyntax, () => new EmpiricalLatency(points), out result);
    }

    private bool TryNamed(string kind, NamedForm[] forms, [NotNullWhen(true)] out LatencyDistribution? result)
    {
        result = null;
        var syntax = string.Join(" or ", forms.Select(form => form.Syntax));
        if (!TryExpect('(', $"after {kind}", syntax))
        {
            return false;
        }
        var given = new List<(string Name, Argument Argument)>();
        SkipSpace();
        var closeColumn = _position;
        // An empty list, kind(), falls through to the missing-parameter message below.
        var more = AtEnd || Current != ')';
        if (!more)
        {
            _position++;
        }
        while (more)
        {
            SkipSpace();
            var nameColumn = _position;
            var name = ReadToken();
            var parameter = forms.SelectMany(form => form.Parameters).FirstOrDefault(p => p.Name == name);
            if (parameter is null)
            {
                return Fail(nameColumn, name.Length == 0
                    ? $"expected a parameter name, found {Found()}; expected {syntax}"
                    : $"unknown parameter '{name}' for {kind}; expected {syntax}");
            }
            if (given.Exists(g => g.Name == name))
            {
                return Fail(nameColumn, $"duplicate parameter '{name}' for {kind}; expected {syntax}");
            }
            if (!Array.Exists(forms, form => form.Has(name) && given.TrueForAll(g => form.Has(g.Name))))
            {
                return Fail(nameColumn, $"'{name}' cannot be combined with {Quoted(given.Select(g => g.Name))} in {kind}; expected {syntax}");
            }
            if (!TryExpect('=', $"after {name}", syntax) || !TryArgument(parameter, $"{name} of {kind}", syntax, out var argument))
            {
                return false;
            }
            given.Add((name, argument));
            SkipSpace();
            closeColumn = _position;
            if (!TryNextInList(syntax, out more))
            {
                return false;
            }
        }
        var chosen = Array.Find(forms, form => form.Parameters.Length == given.Count && given.TrueForAll(g => form.Has(g.Name)));
        if (chosen is null)
        {
            // Name what each form that is still possible lacks: "missing 'p99' or 'sigma'".
            var missing = forms
                .Where(form => given.TrueForAll(g => form.Has(g.Name)))
                .Select(form => Quoted(form.Parameters.Select(p => p.Name).Where(n => !given.Exists(g => g.Name == n))));
            var what = given.Count == 0 && forms.Length > 1 ? "parameters" : string.Join(" or ", missing);
            return Fail(closeColumn, $"missing {what} for {kind}; expected {syntax}");
        }
        var arguments = chosen.Parameters.Select(p => given.Find(g => g.Name == p.Name).Argument).ToArray();
        var problem = chosen.Check(arguments);
        var problemColumn = problem is null ? 0 : arguments[Array.FindIndex(chosen.Parameters, p => p.Name == problem.Parameter)].Column;
        return TryCreate(problem, problemColumn, chosen.Syntax, () => chosen.Create(arguments), out result);
    }

    /// <summary>After a list item: ',' (more follows) or ')' (the list is closed).</summary>
    private bool TryNextInList(string syntax, out bool more)
    {
        SkipSpace();
        more = !AtEnd && Current == ',';
        if (!AtEnd && Current is ',' or ')')
        {
            _position++;
            return true;
        }
        return Fail(_position, $"expected ',' or ')', found {Found()}{MissingParenthesisHint()}; expected {syntax}");
    }

    private bool TryEnd()
    {
        SkipSpace();
        if (AtEnd)
        {
            return true;
        }
        var hint = Current == ')' ? " (unbalanced parentheses)" : "";
        return Fail(_position, $"unexpected {Found()} after the distribution{hint}; expected the end of the text");
    }

    private bool TryCreate(
        ParameterProblem? problem,
        int problemColumn,
        string syntax,
        Func<LatencyDistribution> create,
        [NotNullWhen(true)] out LatencyDistribution? result)
    {
        if (problem is not null)
        {
            result = null;
            return Fail(problemColumn, $"{problem.Reason}; expected {syntax}");
        }
        result = create();
        return true;
    }

    private bool TryArgument(Parameter parameter, string what, string syntax, out Argument argument)
    {
        argument = default;
        switch (parameter.Type)
        {
            case ValueType.Duration when TryDuration(what, syntax, out var duration, out var column):
                argument = new Argument(duration, 0, column);
                return true;
            case ValueType.Number when TryNumber(what, syntax, out var number, out var column):
                argument = new Argument(default, number, column);
                return true;
            default:
                return false;
        }
    }

    private bool TryDuration(string what, string syntax, out Duration value, out int column)
    {
        value = default;
        SkipSpace();
        column = _position;
        var token = ReadToken();
        if (token.Length == 0)
        {
            var example = _quantity == DistributionQuantity.Bytes ? "a size such as 8kB" : "a duration such as 1ms";
            return Fail(column, $"expected {what} ({example}), found {Found()}{MissingParenthesisHint()}; expected {syntax}");
        }
        if (_quantity == DistributionQuantity.Bytes)
        {
            if (ByteText.TryParseSize(token, out var bytes, out var sizeError))
            {
                value = Duration.FromNanoseconds(bytes);
                return true;
            }
            return Fail(column, $"{what}: {sizeError}");
        }
        // DurationText's message already says what a duration looks like, units included.
        return DurationText.TryParse(token, out value, out var error) || Fail(column, $"{what}: {error}");
    }

    private bool TryNumber(string what, string syntax, out double value, out int column)
    {
        SkipSpace();
        column = _position;
        var token = ReadToken();
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value))
        {
            return true;
        }
        var found = token.Length == 0 ? Found() + MissingParenthesisHint() : $"'{token}'";
        var hint = DurationText.TryParse(token, out _, out _) ? " (a plain number, without a unit)" : "";
        return Fail(column, $"expected {what} as a finite number{hint}, found {found}; expected {syntax}");
    }

    private bool TryExpect(char expected, string where, string syntax)
    {
        SkipSpace();
        if (!AtEnd && Current == expected)
        {
            _position++;
            return true;
        }
        return Fail(_position, $"expected '{expected}' {where}, found {Found()}{MissingParenthesisHint()}; expected {syntax}");
    }

    private bool Fail(int column, string reason)
    {
        _error ??= new DistributionParseError(column, reason);
        return false;
    }

    private bool AtEnd => _position >= _text.Length;

    private char Current => _text[_position];

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(Current))
        {
            _position++;
        }
    }

    private static bool IsDelimiter(char c) => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or ':' or '=';

    /// <summary>A name or a value: everything up to the next delimiter (possibly nothing).</summary>
    private string ReadToken()
    {
        var start = _position;
        while (!AtEnd && !IsDelimiter(Current))
        {
            _position++;
        }
        return _text[start.._position];
    }

    /// <summary>What is at the current position, for messages: a token, a delimiter, or the end.</summary>
    private string Found()
    {
        if (AtEnd)
        {
            return "the end of the text";
        }
        var end = _position;
        while (end < _text.Length && !IsDelimiter(_text[end]))
        {
            end++;
        }
        return end == _position ? $"'{Current}'" : $"'{_text[_position..end]}'";
    }

    private string MissingParenthesisHint() => AtEnd && _text.Contains('(') ? " (unbalanced parentheses: a ')' is missing)" : "";

    private static string UnknownKind(string kind)
    {
        var lower = kind.ToLowerInvariant();
        var known = KindsWithOwnSyntax.Contains(lower) || Array.Exists(NamedForms, form => form.Kind == lower);
        var hint = known && lower != kind ? $" (names are lowercase: {lower})" : "";
        return $"unknown distribution '{kind}'{hint}; expected {AnyDistribution}";
    }

    private static string Quoted(IEnumerable<string> names) => string.Join(" and ", names.Select(name => $"'{name}'"));

    private static Parameter DurationParameter(string name) => new(name, ValueType.Duration);

    private static Parameter NumberParameter(string name) => new(name, ValueType.Number);

    private enum ValueType
    {
        Duration,
        Number,
    }

    private sealed record Parameter(string Name, ValueType Type)
    {
        public string Syntax => $"{Name}=<{(Type == ValueType.Duration ? "duration" : "number")}>";
    }

    /// <summary>A parsed value (a duration or a number, as its parameter says) and where it starts.</summary>
    private readonly record struct Argument(Duration Duration, double Number, int Column);

    /// <summary>One accepted set of named parameters for a kind, in canonical (text form) order.</summary>
    private sealed record NamedForm(
        string Kind,
        Parameter[] Parameters,
        Func<Argument[], ParameterProblem?> Check,
        Func<Argument[], LatencyDistribution> Create)
    {
        public string Syntax => $"{Kind}({string.Join(", ", Parameters.Select(p => p.Syntax))})";

        public bool Has(string name) => Array.Exists(Parameters, p => p.Name == name);
    }
}
