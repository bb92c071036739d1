using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Fledge.Kubernetes;

/// <summary>A fledge.io/v1alpha1 (or argoproj.io/v1alpha1) Rollout as the API server holds it: spec as written, status as the operator wrote it.</summary>
public sealed class RolloutObject : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = RolloutCrd.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Rollout";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public JsonObject? Spec { get; set; }

    [JsonPropertyName("status")]
    public JsonObject? Status { get; set; }
}

/// <summary>A list of <see cref="RolloutObject"/>, as the API server lists them.</summary>
public sealed class RolloutObjectList : IKubernetesObject<V1ListMeta>, IItems<RolloutObject>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = RolloutCrd.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "RolloutList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<RolloutObject> Items { get; set; } = [];
}

/// <summary>Where the Rollout resource lives in the API.</summary>
public static class RolloutCrd
{
    public const string Group = "fledge.io";

    /// <summary>Argo Rollouts' group, whose Rollouts are read as written.</summary>
    public const string ArgoGroup = "argoproj.io";
    public const string Version = "v1alpha1";
    public const string Plural = "rollouts";
    public const string ApiVersion = Group + "/" + Version;
}

/// <summary>A fledge.io/v1alpha1 AnalysisTemplate as the API server holds it (read by the planner as a file's is).</summary>
public sealed class AnalysisTemplateObject : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = RolloutCrd.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "AnalysisTemplate";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public JsonObject? Spec { get; set; }
}

/// <summary>A list of <see cref="AnalysisTemplateObject"/>.</summary>
public sealed class AnalysisTemplateObjectList : IKubernetesObject<V1ListMeta>, IItems<AnalysisTemplateObject>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = RolloutCrd.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "AnalysisTemplateList";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<AnalysisTemplateObject> Items { get; set; } = [];
}
