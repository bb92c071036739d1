using System.Collections;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Fledge.Core.Manifests;

/// <summary>
/// Finds every field a document sets that its model type does not have, so that all of them are
/// reported at once (the deserializer stops at the first), each with a suggestion when a known field is close.
/// </summary>
internal static class UnknownFields
{
    /// <summary>A field that does not exist: where it was written and what was probably meant.</summary>
    public sealed record Unknown(string Path, string Field, YamlNode Key, string Hint);

    public static List<Unknown> Find(YamlMappingNode node, Type type)
    {
        var found = new List<Unknown>();
        Walk(node, type, "", found);
        return found;
    }

    /// <summary>Removes from the object's status every field its model type does not read, so that a printed status never fails a load.</summary>
    public static void PruneStatus(YamlMappingNode node, Type type)
    {
        var status = new YamlScalarNode("status");
        if (!node.Children.TryGetValue(status, out var value))
        {
            return;
        }

        if (!Properties(type).TryGetValue("status", out var property) || value is not YamlMappingNode)
        {
            node.Children.Remove(status);
            return;
        }

        var unknown = new List<Unknown>();
        Walk(value, property.PropertyType, "status", unknown);
        foreach (var field in unknown)
        {
            Parent(value, field.Key)?.Children.Remove(field.Key);
        }
    }

    private static YamlMappingNode? Parent(YamlNode root, YamlNode key) => root switch
    {
        YamlMappingNode mapping when mapping.Children.ContainsKey(key) && mapping.Children.Keys.Any(k => ReferenceEquals(k, key)) => mapping,
        YamlMappingNode mapping => mapping.Children.Values.Select(v => Parent(v, key)).FirstOrDefault(p => p is not null),
        YamlSequenceNode sequence => sequence.Children.Select(c => Parent(c, key)).FirstOrDefault(p => p is not null),
        _ => null,
    };

    private static void Walk(YamlNode node, Type type, string path, List<Unknown> found)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (node is YamlSequenceNode sequence && ElementType(type) is { } element)
        {
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                Walk(sequence.Children[i], element, $"{path}[{i}]", found);
            }

            return;
        }

        if (node is not YamlMappingNode mapping || !IsModel(type))
        {
            return;
        }

        var properties = Properties(type);
        foreach (var (key, value) in mapping.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            var field = path.Length == 0 ? name : $"{path}.{name}";
            if (properties.TryGetValue(name, out var property))
            {
                Walk(value, property.PropertyType, field, found);
            }
            else
            {
                found.Add(new Unknown(field, name, key, ArgoHint(path, name) ?? Suggestion(properties.Keys, name)));
            }
        }
    }

    /// <summary>Argo's traffic routers, which Fledge's own Service proxy stands in for on one host.</summary>
    private static readonly HashSet<string> ArgoRouters = new(StringComparer.Ordinal)
    {
        "nginx", "istio", "alb", "smi", "ambassador", "appMesh", "traefik", "apisix", "plugins",
    };

    /// <summary>What to write instead of an Argo field Fledge does not take, where there is something to say.</summary>
    private static string? ArgoHint(string path, string name) => (path, name) switch
    {
        (_, _) when path.EndsWith("canary.trafficRouting", StringComparison.Ordinal) && ArgoRouters.Contains(name) =>
            $": Argo's {name} router is not one Fledge drives; Fledge splits traffic with its own Service proxy: write trafficRouting: {{}} " +
            "(with managedRoutes for header and mirror routes), or leave trafficRouting out to split by replica counts",
        (_, "pingPong") => ": Fledge does not run ping-pong canaries; use canaryService and stableService",
        (_, "canaryMetadata" or "stableMetadata" or "activeMetadata" or "previewMetadata") =>
            $": Fledge does not add {name} to the pods; the pod-template-hash label tells the revisions apart (a Service selects by it)",
        (_, "antiAffinity") => ": one host has no nodes to spread the revisions over; remove it",
        _ => null,
    };

    /// <summary>", did you mean \"maxSurge\"?" or the fields that exist here.</summary>
    private static string Suggestion(IEnumerable<string> names, string field)
    {
        var candidates = names.ToList();
        return Suggestions.Nearest(candidates, field) is { } best
            ? $": did you mean \"{best}\"?"
            : $": remove it; the fields here are {string.Join(", ", candidates)}";
    }

    private static bool IsModel(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type)
        && type != typeof(IntOrString) && type != typeof(ResourceQuantity) && type != typeof(object);

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments().Length == 1 ? type.GetGenericArguments()[0]
        : null;

    private static Dictionary<string, PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .GroupBy(WireName)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private static string WireName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
}
