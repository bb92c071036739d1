using System.Collections.Immutable;

namespace Fledge.Core.Analysis;

/// <summary>The analysis a canary asks for: templates by name, the arguments it passes, and (in the background) the first step it covers.</summary>
public sealed record RolloutAnalysis(ImmutableArray<string> Templates, ImmutableSortedDictionary<string, string> Args, int StartingStep)
{
    /// <summary>Arguments whose value is the pod-template-hash of the stable ("Stable") or the newest ("Latest") revision.</summary>
    public ImmutableSortedDictionary<string, string> HashArgs { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Metrics written in the rollout itself (a webhook gate), measured beside the templates' ones.</summary>
    public ImmutableArray<AnalysisMetric> Inline { get; init; } = [];

    /// <summary>The rollout's dryRun and measurementRetention for the templates' metrics.</summary>
    public MetricOptions Options { get; init; } = MetricOptions.None;

    public bool Equals(RolloutAnalysis? other) =>
        other is not null && Templates.SequenceEqual(other.Templates) && Args.SequenceEqual(other.Args) && StartingStep == other.StartingStep
        && HashArgs.SequenceEqual(other.HashArgs) && Options.Equals(other.Options) && Inline.SequenceEqual(other.Inline);

    public override int GetHashCode() => HashCode.Combine(Templates.Length, StartingStep);
}
