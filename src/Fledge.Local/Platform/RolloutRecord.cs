using System.Text.Json;
using System.Text.Json.Nodes;
using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;
using k8s;

namespace Fledge.Local.Platform;

/// <summary>
/// A rollout as the runtime keeps it: the manifest as applied (defaults filled in), its original
/// apiVersion and kind, and the status the planner last wrote.
/// </summary>
internal sealed class RolloutRecord
{
    public RolloutRecord(string apiVersion, string kind, RolloutResource manifest, RolloutStatus status, DateTimeOffset createdAt)
    {
        ApiVersion = apiVersion;
        Kind = kind;
        Manifest = manifest;
        Status = status;
        CreatedAt = createdAt;
        Rollout = Build();
    }

    public string ApiVersion { get; }

    public string Kind { get; }

    public RolloutResource Manifest { get; private set; }

    public RolloutStatus Status { get; private set; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The planner's view, rebuilt whenever the manifest or status changes.</summary>
    public Rollout Rollout { get; private set; }

    public string Name => Manifest.Metadata!.Name;

    public long Generation => Manifest.Metadata!.Generation ?? 1;

    /// <summary>Replaces the manifest; the generation goes up when the spec changed (as the API server does).</summary>
    public void Replace(RolloutResource manifest)
    {
        var specChanged = SpecJson(manifest) != SpecJson(Manifest);
        manifest.Metadata!.Generation = specChanged ? Generation + 1 : Generation;
        Manifest = manifest;
        Rollout = Build();
    }

    public void SetStatus(RolloutStatus status)
    {
        Status = status;
        Rollout = Rollout with { Status = status };
    }

    public void SetAnnotation(string key, string value)
    {
        var annotations = Manifest.Metadata!.Annotations ??= new Dictionary<string, string>();
        annotations[key] = value;
        Rollout = Build();
    }

    /// <summary>A deep copy of the manifest to change and hand back to <see cref="Replace"/>.</summary>
    public RolloutResource CopyManifest() => KubernetesJson.Deserialize<RolloutResource>(KubernetesJson.Serialize(Manifest));

    public string ToJson()
    {
        var node = new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = Kind,
            ["manifest"] = JsonNode.Parse(KubernetesJson.Serialize(Manifest)),
            ["status"] = JsonSerializer.SerializeToNode(Status, Store.StoreJson.Options),
        };
        return node.ToJsonString();
    }

    public static RolloutRecord FromJson(string json, DateTimeOffset createdAt)
    {
        var node = JsonNode.Parse(json)!;
        var manifest = KubernetesJson.Deserialize<RolloutResource>(node["manifest"]!.ToJsonString());
        var status = node["status"].Deserialize<RolloutStatus>(Store.StoreJson.Options) ?? RolloutStatus.Empty;
        return new RolloutRecord(node["apiVersion"]!.GetValue<string>(), node["kind"]!.GetValue<string>(), manifest, status, createdAt);
    }

    private Rollout Build()
    {
        var (rollout, errors) = RolloutReader.FromResource(Manifest, ApiVersion, Kind);
        if (rollout is null)
        {
            throw new InvalidOperationException($"{Kind} \"{Name}\" no longer validates: {string.Join("; ", errors)}");
        }

        return rollout with { Status = Status };
    }

    private static string SpecJson(RolloutResource manifest) => KubernetesJson.Serialize(manifest.Spec);
}
