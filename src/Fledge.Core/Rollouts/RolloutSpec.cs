using k8s.Models;

namespace Fledge.Core.Rollouts;

/// <summary>What the user asked for, with defaults applied and validation passed.</summary>
public sealed record RolloutSpec(
    int Replicas,
    V1LabelSelector Selector,
    PodTemplate Template,
    RolloutStrategy Strategy,
    int MinReadySeconds,
    int? ProgressDeadlineSeconds,
    int? RevisionHistoryLimit,
    bool Paused);
