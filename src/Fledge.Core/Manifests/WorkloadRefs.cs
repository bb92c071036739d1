using Fledge.Core.Rollouts;
using Fledge.Core.Validation;
using k8s;
using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>
/// Argo's workloadRef: a Rollout that takes its pod template (and its selector, when it has none) from a Deployment named
/// here, so a Deployment can be migrated without copying it. The Deployment's template is copied into the Rollout
/// when it is applied (and again whenever the Deployment changes); scaleDown says what happens to the Deployment's own
/// replicas: never (default), onsuccess (scaled to 0 once the Rollout is healthy) or progressively (down as the
/// Rollout's replicas become available).
/// </summary>
public static class WorkloadRefs
{
    public const string Never = "never";
    public const string OnSuccess = "onsuccess";
    public const string Progressively = "progressively";

    /// <summary>The reference as written: Argo's checks of apiVersion, kind, name and scaleDown; a template beside it is Argo's error.</summary>
    public static List<FieldError> Validate(RolloutSpecResource spec, bool asWritten)
    {
        var errors = new List<FieldError>();
        var workload = spec.WorkloadRef!;
        if (asWritten && spec.Template is not null)
        {
            errors.Add(FieldError.Invalid("spec.template", "{...}", "template must be empty for workload reference rollout: remove spec.template, the Deployment's is used"));
        }

        if (workload.ApiVersion is not null && workload.ApiVersion != "apps/v1")
        {
            errors.Add(FieldError.NotSupported("spec.workloadRef.apiVersion", workload.ApiVersion, "apps/v1"));
        }

        if (workload.Kind != "Deployment")
        {
            errors.Add(workload.Kind is null ? FieldError.Required("spec.workloadRef.kind", "kind: Deployment")
                : FieldError.NotSupported("spec.workloadRef.kind", workload.Kind, "Deployment"));
        }

        if (string.IsNullOrEmpty(workload.Name))
        {
            errors.Add(FieldError.Required("spec.workloadRef.name", "the name of the Deployment whose template the Rollout runs"));
        }

        if (workload.ScaleDown is not null and not (Never or OnSuccess or Progressively))
        {
            errors.Add(FieldError.NotSupported("spec.workloadRef.scaleDown", workload.ScaleDown, Never, OnSuccess, Progressively));
        }

        return errors;
    }

    /// <summary>The Deployments among <paramref name="objects"/> by name (the last of a name), as a workloadRef reads them.</summary>
    public static Dictionary<string, RolloutResource> DeploymentsOf(IEnumerable<ManifestObject> objects) =>
        objects.Where(o => o.Resource is V1Deployment).GroupBy(o => o.Name)
            .ToDictionary(g => g.Key, g => RolloutReader.ToResource(g.Last()), StringComparer.Ordinal);

    /// <summary>The names of the Deployments a Rollout among <paramref name="objects"/> names in its workloadRef.</summary>
    public static HashSet<string> Referenced(IEnumerable<ManifestObject> objects) =>
        objects.Select(o => (o.Resource as RolloutResource)?.Spec?.WorkloadRef?.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>The event when scaleDown scaled the Deployment.</summary>
    public static string ScaledDown(WorkloadReference workload, int from, int to) =>
        $"Scaled down Deployment {workload.Deployment} from {from} to {to} (workloadRef scaleDown: {workload.ScaleDown})";

    /// <summary>The error when the Deployment is not there: where to put it.</summary>
    public static FieldError NotFound(WorkloadRefResource workload) => FieldError.Invalid("spec.workloadRef.name", workload.Name ?? "",
        $"Deployment \"{workload.Name}\" not found: apply it before the Rollout or in the same file");

    /// <summary>A copy of the rollout with the Deployment's template in it (and its selector, when the rollout has none); the reference stays.</summary>
    public static RolloutResource Resolve(RolloutResource rollout, RolloutResource deployment)
    {
        var copy = KubernetesJson.Deserialize<RolloutResource>(KubernetesJson.Serialize(rollout));
        copy.Spec!.Template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(deployment.Spec?.Template));
        copy.Spec.Selector ??= deployment.Spec?.Selector is { } selector ? KubernetesJson.Deserialize<V1LabelSelector>(KubernetesJson.Serialize(selector)) : null;
        return copy;
    }

    /// <summary>Healthy as scaleDown onsuccess means it: the Rollout's current template runs all its replicas, available.</summary>
    public static bool Healthy(Rollout rollout) => rollout.Status.Canary is { } canary
        ? canary.Phase == RolloutPhases.Healthy
        : rollout.Status.ObservedGeneration >= rollout.Generation && rollout.Status.UpdatedReplicas == rollout.Spec.Replicas
            && rollout.Status.AvailableReplicas == rollout.Spec.Replicas && rollout.Status.Replicas == rollout.Spec.Replicas;

    /// <summary>
    /// The Deployment's replicas once the Rollout stands as it does, or null to leave them: onsuccess, 0 once the Rollout is
    /// healthy; progressively, the Rollout's desired replicas less those available (never up again).
    /// </summary>
    public static int? DeploymentReplicas(string scaleDown, int current, int rolloutReplicas, int rolloutAvailable, bool rolloutHealthy) => scaleDown switch
    {
        OnSuccess when rolloutHealthy && current > 0 => 0,
        Progressively when Math.Max(0, rolloutReplicas - rolloutAvailable) < current => Math.Max(0, rolloutReplicas - rolloutAvailable),
        _ => null,
    };
}
