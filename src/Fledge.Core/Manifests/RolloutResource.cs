using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>A fledge.io/v1alpha1 Rollout as written. An apps/v1 Deployment is read into the same shape.</summary>
public sealed class RolloutResource
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public V1ObjectMeta? Metadata { get; set; }

    public RolloutSpecResource? Spec { get; set; }

    public V1DeploymentStatus? Status { get; set; }
}

/// <summary>The spec of a Rollout as written; every field is optional until defaults are applied.</summary>
public sealed class RolloutSpecResource
{
    public int? Replicas { get; set; }

    public V1LabelSelector? Selector { get; set; }

    public V1PodTemplateSpec? Template { get; set; }

    public RolloutStrategyResource? Strategy { get; set; }

    public int? MinReadySeconds { get; set; }

    public int? ProgressDeadlineSeconds { get; set; }

    public int? RevisionHistoryLimit { get; set; }

    public bool? Paused { get; set; }
}

/// <summary>spec.strategy as written: a type and its RollingUpdate parameters.</summary>
public sealed class RolloutStrategyResource
{
    public string? Type { get; set; }

    public V1RollingUpdateDeployment? RollingUpdate { get; set; }
}
