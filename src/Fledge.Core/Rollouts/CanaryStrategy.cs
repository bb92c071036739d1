using System.Collections.Immutable;

namespace Fledge.Core.Rollouts;

/// <summary>A canary rollout's strategy, with defaults applied (Argo Rollouts' fields and defaults).</summary>
public sealed record CanaryStrategy(
    string? CanaryService,
    string? StableService,
    ImmutableArray<CanaryStep> Steps,
    IntOrPercent MaxSurge,
    IntOrPercent MaxUnavailable,
    int AbortScaleDownDelaySeconds,
    int ScaleDownDelaySeconds,
    bool TrafficRouted)
{
    /// <summary>Analysis that runs in the background from its starting step until promotion.</summary>
    public Analysis.RolloutAnalysis? Analysis { get; init; }

    /// <summary>Webhooks told of the release's events (types post-rollout and event); the gates are steps and analyses.</summary>
    public ImmutableArray<Webhook> Notifications { get; init; } = [];

    /// <summary>With a router: the stable revision shrinks as its traffic share does, instead of staying at spec.replicas.</summary>
    public bool DynamicStableScale { get; init; }

    /// <summary>How many old revisions may wait out scaleDownDelaySeconds at once (null: all); older ones go at once.</summary>
    public int? ScaleDownDelayRevisionLimit { get; init; }

    /// <summary>With a router: a revision that runs at all runs at least this many replicas.</summary>
    public int? MinPodsPerReplicaSet { get; init; }

    /// <summary>Argo's meaning of abortScaleDownDelaySeconds: 0 keeps an aborted canary running (no traffic) until the next version.</summary>
    public bool KeepsAbortedCanary => TrafficRouted && AbortScaleDownDelaySeconds == 0;

    public bool Equals(CanaryStrategy? other) =>
        other is not null && CanaryService == other.CanaryService && StableService == other.StableService
        && Steps.SequenceEqual(other.Steps) && MaxSurge == other.MaxSurge && MaxUnavailable == other.MaxUnavailable
        && AbortScaleDownDelaySeconds == other.AbortScaleDownDelaySeconds && ScaleDownDelaySeconds == other.ScaleDownDelaySeconds
        && TrafficRouted == other.TrafficRouted && Equals(Analysis, other.Analysis)
        && DynamicStableScale == other.DynamicStableScale && MinPodsPerReplicaSet == other.MinPodsPerReplicaSet
        && Notifications.SequenceEqual(other.Notifications);

    public override int GetHashCode() => HashCode.Combine(CanaryService, StableService, Steps.Length, TrafficRouted);
}

/// <summary>A webhook: where to POST, for which kind of point, how long to wait, and what to send along.</summary>
public sealed record Webhook(string Name, string Type, string Url, TimeSpan Timeout, int Retries, ImmutableSortedDictionary<string, string> Metadata)
{
    public const string ConfirmRollout = "confirm-rollout";
    public const string PreRollout = "pre-rollout";
    public const string ConfirmPromotion = "confirm-promotion";
    public const string Rollback = "rollback";
    public const string PostRollout = "post-rollout";
    public const string Event = "event";

    public static readonly string[] Types = [ConfirmRollout, PreRollout, ConfirmPromotion, Rollback, PostRollout, Event];

    public bool Equals(Webhook? other) =>
        other is not null && Name == other.Name && Type == other.Type && Url == other.Url && Timeout == other.Timeout && Retries == other.Retries
        && Metadata.SequenceEqual(other.Metadata);

    public override int GetHashCode() => HashCode.Combine(Name, Type, Url);
}
