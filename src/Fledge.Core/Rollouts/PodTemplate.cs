using k8s.Models;

namespace Fledge.Core.Rollouts;

/// <summary>
/// A pod template together with its canonical key (used for equality, ignoring the pod-template-hash
/// label) and its hash. Computed once when a manifest or replica set is read, so the planner compares
/// strings and never serialises a template.
/// </summary>
public sealed record PodTemplate(V1PodTemplateSpec Spec, string Key, string Hash)
{
    /// <summary>The first container's image, which is how people name a revision.</summary>
    public string Image => Spec.Spec?.Containers is { Count: > 0 } containers ? containers[0].Image ?? "" : "";

    public static PodTemplate From(V1PodTemplateSpec spec) => PodTemplateHasher.Describe(spec);

    public bool SameAs(PodTemplate other) => string.Equals(Key, other.Key, StringComparison.Ordinal);
}
