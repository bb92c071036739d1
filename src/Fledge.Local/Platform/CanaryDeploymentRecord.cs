using System.Text.Json;
using System.Text.Json.Nodes;
using Fledge.Core.Kanarini;
using Fledge.Core.Manifests;
using k8s;

namespace Fledge.Local.Platform;

/// <summary>A Kanarini CanaryDeployment as the runtime keeps it: the manifest as applied (defaults filled in) and its status.</summary>
internal sealed class CanaryDeploymentRecord
{
    public CanaryDeploymentRecord(CanaryDeploymentResource manifest, CanaryDeploymentStatus status, DateTimeOffset createdAt)
    {
        Manifest = manifest;
        Status = status;
        CreatedAt = createdAt;
        Deployment = Build();
    }

    public CanaryDeploymentResource Manifest { get; private set; }

    public CanaryDeploymentStatus Status { get; private set; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The planner's view, rebuilt whenever the manifest or status changes.</summary>
    public CanaryDeployment Deployment { get; private set; }

    public string Name => Manifest.Metadata!.Name;

    public long Generation => Manifest.Metadata!.Generation ?? 1;

    /// <summary>Replaces the manifest; the generation goes up when the spec changed. False when nothing changed.</summary>
    public bool Replace(CanaryDeploymentResource manifest)
    {
        if (SpecJson(manifest) == SpecJson(Manifest))
        {
            return false;
        }

        manifest.Metadata!.Generation = Generation + 1;
        Manifest = manifest;
        Deployment = Build();
        return true;
    }

    public void SetStatus(CanaryDeploymentStatus status)
    {
        Status = status;
        Deployment = Deployment with { Status = status };
    }

    public string ToJson() => new JsonObject
    {
        ["manifest"] = JsonNode.Parse(KubernetesJson.Serialize(Manifest)),
        ["status"] = JsonSerializer.SerializeToNode(Status, Store.StoreJson.Options),
    }.ToJsonString();

    public static CanaryDeploymentRecord FromJson(string json, DateTimeOffset createdAt)
    {
        var node = JsonNode.Parse(json)!;
        var manifest = KubernetesJson.Deserialize<CanaryDeploymentResource>(node["manifest"]!.ToJsonString());
        var status = node["status"].Deserialize<CanaryDeploymentStatus>(Store.StoreJson.Options) ?? CanaryDeploymentStatus.Empty;
        return new CanaryDeploymentRecord(manifest, status, createdAt);
    }

    private CanaryDeployment Build()
    {
        var (deployment, errors) = CanaryDeploymentReader.FromResource(Manifest, Status);
        return deployment ?? throw new InvalidOperationException($"CanaryDeployment \"{Name}\" no longer validates: {string.Join("; ", errors)}");
    }

    private static string SpecJson(CanaryDeploymentResource manifest) => KubernetesJson.Serialize(manifest.Spec);
}
