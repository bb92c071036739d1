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
    bool Paused)
{
    /// <summary>Abort the update (canary or blue-green) when the progress deadline passes.</summary>
    public bool ProgressDeadlineAbort { get; init; }

    /// <summary>Going back to one of this many revisions before the stable one skips the steps and analysis (0: never).</summary>
    public int RollbackWindowRevisions { get; init; }

    /// <summary>Argo's restartAt: the pods created before this time are replaced, one at a time.</summary>
    public DateTimeOffset? RestartAt { get; init; }

    /// <summary>Argo's workloadRef: the Deployment the template comes from, and what becomes of its replicas.</summary>
    public WorkloadReference? Workload { get; init; }
}

/// <summary>The Deployment a rollout takes its template from, and its scaleDown: never, onsuccess or progressively.</summary>
public sealed record WorkloadReference(string Deployment, string ScaleDown);
