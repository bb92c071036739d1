using System.Collections.Immutable;

namespace Fledge.Core.Rollouts;

/// <summary>One step of a canary rollout.</summary>
public abstract record CanaryStep
{
    /// <summary>How the step reads in status and messages: "setWeight: 20", "pause: 30s", "pause".</summary>
    public abstract string Describe();
}

/// <summary>Send this percentage of traffic to the canary (by exact weight, or by replica count without a router).</summary>
public sealed record SetWeightStep(int Weight) : CanaryStep
{
    public override string Describe() => $"setWeight: {Weight}";
}

/// <summary>Wait: for the duration, or (without one) until someone promotes the rollout.</summary>
public sealed record PauseStep(TimeSpan? Duration) : CanaryStep
{
    public override string Describe() => Duration is { } d ? $"pause: {d.TotalSeconds:0}s" : "pause (until promoted)";
}

/// <summary>Size the canary independently of its traffic weight.</summary>
public sealed record SetCanaryScaleStep(int? Replicas, int? Weight, bool MatchTrafficWeight) : CanaryStep
{
    public override string Describe() =>
        MatchTrafficWeight ? "setCanaryScale: matchTrafficWeight" : Replicas is { } r ? $"setCanaryScale: {r} replicas" : $"setCanaryScale: {Weight}%";
}

/// <summary>Run analysis templates; the step completes when they succeed, and a failure aborts the canary.</summary>
public sealed record AnalysisStep(Analysis.RolloutAnalysis Analysis) : CanaryStep
{
    public override string Describe() =>
        $"analysis: {string.Join(", ", Analysis.Templates.Concat(Analysis.Inline.IsDefault ? [] : Analysis.Inline.Select(m => $"webhook {m.Name}")))}";
}

/// <summary>
/// Argo's experiment step: a replica set per template (the stable or the canary pod template, with labels of its own if
/// given) runs beside the rollout's while <see cref="Analysis"/> judges them. The step completes after
/// <see cref="Duration"/> (or, without one, once the analysis has completed when an analysis is requiredForCompletion;
/// otherwise when promoted); a failed analysis aborts the canary. The experiment's replica sets go when the step ends.
/// </summary>
public sealed record ExperimentStep(TimeSpan? Duration, ImmutableArray<ExperimentTemplate> Templates, Analysis.RolloutAnalysis? Analysis, bool RequiredForCompletion)
    : CanaryStep
{
    public bool Equals(ExperimentStep? other) => other is not null && Duration == other.Duration && Templates.SequenceEqual(other.Templates)
        && Equals(Analysis, other.Analysis) && RequiredForCompletion == other.RequiredForCompletion;

    public override int GetHashCode() => HashCode.Combine(Duration, Templates.Length);

    public override string Describe() =>
        $"experiment: {string.Join(" and ", Templates.Select(t => $"{t.Name} ({t.SpecRef}, {t.Replicas} replica{(t.Replicas == 1 ? "" : "s")})"))}"
        + (Duration is { } d ? $" for {Durations.Format(d)}" : "")
        + (Analysis is { } a ? $", analysis: {string.Join(", ", a.Templates)}" : "");
}

/// <summary>One template of an experiment: which revision's pod template (stable or canary), how many replicas, and the pod labels that replace the template's.</summary>
public sealed record ExperimentTemplate(string Name, string SpecRef, int Replicas, ImmutableSortedDictionary<string, string>? Labels)
{
    public const string Stable = "stable";
    public const string Canary = "canary";

    public bool Equals(ExperimentTemplate? other) => other is not null && Name == other.Name && SpecRef == other.SpecRef && Replicas == other.Replicas
        && (Labels ?? ImmutableSortedDictionary<string, string>.Empty).SequenceEqual(other.Labels ?? ImmutableSortedDictionary<string, string>.Empty);

    public override int GetHashCode() => HashCode.Combine(Name, SpecRef, Replicas);
}

/// <summary>
/// Requests whose headers match all of <see cref="Match"/> go to the canary, whatever the weight (Argo's setHeaderRoute);
/// a step with the same name and no match removes the route. Routes end when the canary is promoted or aborted.
/// </summary>
public sealed record SetHeaderRouteStep(string Name, ImmutableArray<HeaderRouteMatch> Match) : CanaryStep
{
    public bool Equals(SetHeaderRouteStep? other) => other is not null && Name == other.Name && Match.SequenceEqual(other.Match);

    public override int GetHashCode() => HashCode.Combine(Name, Match.Length);

    public override string Describe() => Match.IsEmpty
        ? $"setHeaderRoute {Name}: removed"
        : $"setHeaderRoute {Name}: {string.Join(" and ", Match.Select(m => $"{m.HeaderName} {m.Value.Describe()}"))} to the canary";
}

/// <summary>
/// A copy of <see cref="Percentage"/> percent of the requests that match any of <see cref="Match"/> goes to the canary too;
/// its answers are discarded (Argo's setMirrorRoute). No match removes the route.
/// </summary>
public sealed record SetMirrorRouteStep(string Name, int Percentage, ImmutableArray<RouteMatch> Match) : CanaryStep
{
    public bool Equals(SetMirrorRouteStep? other) => other is not null && Name == other.Name && Percentage == other.Percentage && Match.SequenceEqual(other.Match);

    public override int GetHashCode() => HashCode.Combine(Name, Percentage, Match.Length);

    public override string Describe() => Match.IsEmpty ? $"setMirrorRoute {Name}: removed" : $"setMirrorRoute {Name}: {Percentage}% of matching requests copied to the canary";
}

/// <summary>Exactly one of exact, prefix or regex (a regular expression the whole value must match).</summary>
public sealed record StringMatch(string? Exact, string? Prefix, string? Regex)
{
    private System.Text.RegularExpressions.Regex? _compiled;

    public bool Matches(string? value)
    {
        if (value is null)
        {
            return false;
        }

        if (Exact is not null)
        {
            return value == Exact;
        }

        if (Prefix is not null)
        {
            return value.StartsWith(Prefix, StringComparison.Ordinal);
        }

        _compiled ??= new System.Text.RegularExpressions.Regex($"^(?:{Regex})$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        try
        {
            return _compiled.IsMatch(value);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return false;
        }
    }

    public string Describe() => Exact is not null ? $"= \"{Exact}\"" : Prefix is not null ? $"starts with \"{Prefix}\"" : $"~ /{Regex}/";

    public bool Equals(StringMatch? other) => other is not null && Exact == other.Exact && Prefix == other.Prefix && Regex == other.Regex;

    public override int GetHashCode() => HashCode.Combine(Exact, Prefix, Regex);
}

/// <summary>One header a setHeaderRoute matches on.</summary>
public sealed record HeaderRouteMatch(string HeaderName, StringMatch Value);

/// <summary>One match of a setMirrorRoute: method, path and headers, all of those given.</summary>
public sealed record RouteMatch(StringMatch? Method, StringMatch? Path, ImmutableSortedDictionary<string, StringMatch> Headers)
{
    public bool Equals(RouteMatch? other) =>
        other is not null && Equals(Method, other.Method) && Equals(Path, other.Path) && Headers.SequenceEqual(other.Headers);

    public override int GetHashCode() => HashCode.Combine(Method, Path, Headers.Count);
}
