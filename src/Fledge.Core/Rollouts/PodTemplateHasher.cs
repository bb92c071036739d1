using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Fledge.Core.Rollouts;

/// <summary>
/// Computes a template's canonical key and its pod-template-hash. The key is the template as JSON with
/// object keys sorted, nulls and empty lists or maps dropped (Kubernetes' semantic equality treats nil
/// and empty alike) and the pod-template-hash label removed. The hash is FNV-32a over the key, printed
/// in decimal and mapped through Kubernetes' SafeEncodeString alphabet, so names look like
/// "web-6c9b8f7d5". It is stable, but not byte-equal to Kubernetes' (which hashes Go's spew dump).
/// </summary>
public static class PodTemplateHasher
{
    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static PodTemplate Describe(V1PodTemplateSpec spec)
    {
        var key = CanonicalKey(spec);
        return new PodTemplate(spec, key, Hash(key, collisionCount: null));
    }

    /// <summary>The hash for a key; a collision count is appended as 4 little-endian bytes, as Kubernetes does.</summary>
    public static string Hash(string key, int? collisionCount)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash = (hash ^ b) * 16777619u;
        }

        if (collisionCount is { } count)
        {
            Span<byte> extra = stackalloc byte[4];
            BitConverter.TryWriteBytes(extra, (uint)count);
            foreach (var b in extra)
            {
                hash = (hash ^ b) * 16777619u;
            }
        }

        var digits = hash.ToString(CultureInfo.InvariantCulture);
        var encoded = new char[digits.Length];
        for (var i = 0; i < digits.Length; i++)
        {
            encoded[i] = SafeAlphabet[digits[i] % SafeAlphabet.Length];
        }

        return new string(encoded);
    }

    /// <summary>A copy of the template with the pod-template-hash label set (used for new replica sets).</summary>
    public static V1PodTemplateSpec WithHashLabel(V1PodTemplateSpec spec, string hash)
    {
        var copy = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(spec));
        copy.Metadata ??= new V1ObjectMeta();
        copy.Metadata.Labels = new Dictionary<string, string>(copy.Metadata.Labels ?? new Dictionary<string, string>())
        {
            [Annotations.PodTemplateHashLabel] = hash,
        };
        return copy;
    }

    /// <summary>A copy of the template without the pod-template-hash label (used when rolling back).</summary>
    public static V1PodTemplateSpec WithoutHashLabel(V1PodTemplateSpec spec)
    {
        var copy = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(spec));
        if (copy.Metadata?.Labels is { } labels)
        {
            labels.Remove(Annotations.PodTemplateHashLabel);
        }

        return copy;
    }

    private static string CanonicalKey(V1PodTemplateSpec spec)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(spec));
        if (node?["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove(Annotations.PodTemplateHashLabel);
        }

        var canonical = Canonicalize(node);
        return canonical?.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) ?? "{}";
    }

    private static JsonNode? Canonicalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var sorted = new JsonObject();
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    var child = Canonicalize(value);
                    if (child is not null)
                    {
                        sorted[name] = child;
                    }
                }

                return sorted.Count == 0 ? null : sorted;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Canonicalize(item) ?? new JsonObject());
                }

                return items.Count == 0 ? null : items;
            case null:
                return null;
            default:
                return node.DeepClone();
        }
    }
}
