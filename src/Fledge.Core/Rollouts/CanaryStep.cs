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
    public override string Describe() => $"analysis: {string.Join(", ", Analysis.Templates)}";
}
