using System.Collections.Immutable;
using System.Globalization;
using Fledge.Core.Rollouts;
using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>Reads a ReplicaSet as `kubectl get rs -o yaml` prints it into the planner's <see cref="ReplicaSetState"/>.</summary>
public static class ReplicaSetReader
{
    public static ReplicaSetState Read(V1ReplicaSet rs)
    {
        var annotations = rs.Metadata?.Annotations ?? new Dictionary<string, string>();
        var copied = annotations
            .Where(a => a.Key is not (Annotations.Revision or Annotations.RevisionHistory or Annotations.DesiredReplicas or Annotations.MaxReplicas))
            .ToImmutableSortedDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return new ReplicaSetState(
            rs.Metadata?.Name ?? "",
            PodTemplate.From(rs.Spec?.Template ?? new V1PodTemplateSpec()),
            StatusReader.Time(rs.Metadata?.CreationTimestamp),
            Long(annotations, Annotations.Revision) ?? 0,
            rs.Spec?.Replicas ?? 1,
            rs.Status?.Replicas ?? 0,
            rs.Status?.ReadyReplicas ?? 0,
            rs.Status?.AvailableReplicas ?? 0,
            0,
            (int?)Long(annotations, Annotations.DesiredReplicas),
            (int?)Long(annotations, Annotations.MaxReplicas),
            annotations.TryGetValue(Annotations.RevisionHistory, out var history) ? history : null,
            copied);
    }

    /// <summary>True when the replica set belongs to the rollout: owned by it, or, without owner references, picked by its selector.</summary>
    public static bool BelongsTo(V1ReplicaSet rs, string rolloutName, V1LabelSelector selector)
    {
        if (rs.Metadata?.OwnerReferences is { Count: > 0 } owners)
        {
            return owners.Any(o => o.Name == rolloutName && o.Kind is "Deployment" or "Rollout");
        }

        return rs.Spec?.Template?.Metadata?.Labels is { } labels && Validation.Selectors.Matches(selector, labels);
    }

    private static long? Long(IDictionary<string, string> annotations, string key) =>
        annotations.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
