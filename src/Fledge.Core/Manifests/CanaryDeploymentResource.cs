using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>
/// Kanarini's CanaryDeployment (kanarini.nilebox.github.com/v1alpha1) as written: one pod template rolled out
/// to a canary track first and, once the canary's metrics are below their targets, to the stable track.
/// </summary>
public sealed class CanaryDeploymentResource
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public V1ObjectMeta? Metadata { get; set; }

    public CanaryDeploymentSpecResource? Spec { get; set; }
}

public sealed class CanaryDeploymentSpecResource
{
    /// <summary>Label selector for pods; must match the template's labels.</summary>
    public V1LabelSelector? Selector { get; set; }

    public V1PodTemplateSpec? Template { get; set; }

    public CanaryDeploymentTracksResource? Tracks { get; set; }

    public int? MinReadySeconds { get; set; }

    public int? ProgressDeadlineSeconds { get; set; }
}

public sealed class CanaryDeploymentTracksResource
{
    public CanaryTrackResource? Canary { get; set; }

    public TrackResource? Stable { get; set; }
}

/// <summary>The stable track: how many replicas, and the labels that tell its pods apart.</summary>
public sealed class TrackResource
{
    public int? Replicas { get; set; }

    public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>The canary track: replicas and labels, and the metrics checked once it is ready.</summary>
public sealed class CanaryTrackResource
{
    public int? Replicas { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>How long to wait after the canary track is ready before the metrics are checked.</summary>
    public int? MetricsCheckDelaySeconds { get; set; }

    public List<TrackMetricResource>? Metrics { get; set; }
}

/// <summary>One metric, in the autoscaling/v2 shape Kanarini borrowed: type Object or External.</summary>
public sealed class TrackMetricResource
{
    public string? Type { get; set; }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The field is called object in the manifest.")]
    public V2ObjectMetricSource? Object { get; set; }

    public V2ExternalMetricSource? External { get; set; }
}
