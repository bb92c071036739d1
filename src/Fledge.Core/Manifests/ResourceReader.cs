using k8s;

namespace Fledge.Core.Manifests;

/// <summary>Reads one kind's YAML into its model type.</summary>
public sealed record ResourceReader(Type Type, Func<string, bool, object> Read)
{
    public static ResourceReader For<T>() => new(typeof(T), static (yaml, strict) => KubernetesYaml.Deserialize<T>(yaml, strict)!);
}
