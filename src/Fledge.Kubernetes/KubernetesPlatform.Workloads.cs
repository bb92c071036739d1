using System.Net;
using System.Text.Json.Nodes;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Fledge.Kubernetes;

/// <summary>
/// What Argo's spec fields beside the strategy ask of the cluster after a reconcile: workloadRef (the Deployment's template
/// read in, its replicas scaled down) and restartAt (the older pods evicted one at a time).
/// </summary>
internal sealed partial class KubernetesPlatform
{
    /// <summary>
    /// Argo's workloadRef: the rollout with the template (and, when it has none, the selector) of the Deployment it names, read
    /// from the API server at each reconcile, so a changed Deployment is the rollout's next revision. Kept in the cache for
    /// every reader of the rollout; the spec is never written back (status and annotations are written on their own).
    /// Without the Deployment the rollout stays as written, and reading it says the Deployment is not found.
    /// </summary>
    private RolloutObject WithWorkload(RolloutObject obj)
    {
        if (obj.Spec?["workloadRef"]?["name"]?.GetValue<string>() is not { } name || ReadDeployment(obj.Metadata.NamespaceProperty, name) is not { Spec.Template: { } template } deployment)
        {
            return obj;
        }

        var spec = obj.Spec.DeepClone().AsObject();
        spec["template"] = JsonNode.Parse(KubernetesJson.Serialize(template));
        if (spec["selector"] is null && deployment.Spec.Selector is { } selector)
        {
            spec["selector"] = JsonNode.Parse(KubernetesJson.Serialize(selector));
        }

        if (JsonNode.DeepEquals(spec, obj.Spec))
        {
            return obj;
        }

        var filled = new RolloutObject { ApiVersion = obj.ApiVersion, Kind = obj.Kind, Metadata = obj.Metadata, Spec = spec, Status = obj.Status };
        rollouts.Put(filled);
        return filled;
    }

    private V1Deployment? ReadDeployment(string? ns, string name)
    {
        try
        {
            return Call(() => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns));
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Argo's restartAt after a reconcile: once the time has come, the pods of the rollout's ReplicaSets created before it are
    /// evicted one at a time (the Eviction API, so PodDisruptionBudgets hold), oldest first, each only while every other pod
    /// is ready; when none is left, status.restartedAt records it. Returns when to look again.
    /// </summary>
    public TimeSpan? RestartPods(string rolloutName, DateTimeOffset now)
    {
        var obj = Find(rolloutName);
        if (obj.Spec?["restartAt"] is null)
        {
            // Every reconcile of every rollout passes here: one without restartAt is not read again
            return null;
        }

        var rollout = ToRollout(obj);
        if (rollout.Spec.RestartAt is not { } restartAt || rollout.Status.RestartedAt == restartAt)
        {
            return null;
        }

        if (restartAt > now)
        {
            return restartAt - now;
        }

        var ns = obj.Metadata.NamespaceProperty;
        var sets = OwnedBy(obj).Where(rs => rs.Metadata.Annotations?.ContainsKey(Annotations.Experiment) != true).Select(rs => rs.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var pods = Call(() => client.CoreV1.ListNamespacedPodAsync(ns)).Items
            .Where(p => p.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Kind == "ReplicaSet" && sets.Contains(o.Name)) == true).ToList();
        // Done once no pod from before is left, the terminating ones included; the next is evicted only while the others are ready.
        var old = pods.Where(p => p.Metadata.DeletionTimestamp is null && p.Metadata.CreationTimestamp < restartAt.UtcDateTime)
            .OrderBy(p => p.Metadata.CreationTimestamp).ToList();
        if (pods.All(p => p.Metadata.CreationTimestamp >= restartAt.UtcDateTime))
        {
            WriteStatus(obj, rollout.Status with { RestartedAt = restartAt });
            Record(obj, new RecordEvent(RecordEvent.Normal, RestartAt.RestartedReason, RestartAt.Restarted(restartAt)), now);
            return null;
        }

        var ready = pods.All(p => p.Metadata.DeletionTimestamp is null && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        if (ready && old.Count > 0)
        {
            var pod = old[0];
            Call(() => client.CoreV1.CreateNamespacedPodEvictionAsync(
                new V1Eviction { Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = ns } }, pod.Metadata.Name, ns));
            Record(obj, new RecordEvent(RecordEvent.Normal, RestartAt.RestartingReason, RestartAt.Restarting(pod.Metadata.Name, restartAt, old.Count - 1)), now);
        }

        return TimeSpan.FromSeconds(1);
    }

    /// <summary>
    /// workloadRef's scaleDown after a reconcile: the Deployment is scaled to 0 once the rollout is healthy (onsuccess), or down
    /// as the rollout's replicas become available (progressively), with an Event on the rollout.
    /// </summary>
    public void ScaleDownWorkload(string rolloutName, DateTimeOffset now)
    {
        var obj = Find(rolloutName);
        if (obj.Spec?["workloadRef"] is null)
        {
            return;
        }

        var rollout = ToRollout(obj);
        // scaleDown: never (the default) leaves the Deployment alone: no need to read it
        if (rollout.Spec.Workload is not { } workload || workload.ScaleDown == WorkloadRefs.Never
            || ReadDeployment(obj.Metadata.NamespaceProperty, workload.Deployment) is not { } deployment)
        {
            return;
        }

        var current = deployment.Spec?.Replicas ?? 1;
        if (WorkloadRefs.DeploymentReplicas(workload.ScaleDown, current, rollout.Spec.Replicas, rollout.Status.AvailableReplicas, WorkloadRefs.Healthy(rollout)) is not { } to)
        {
            return;
        }

        Call(() => client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = to } }.ToJsonString(), V1Patch.PatchType.MergePatch),
            workload.Deployment, obj.Metadata.NamespaceProperty));
        Record(obj, new RecordEvent(RecordEvent.Normal, "ScalingDeployment", WorkloadRefs.ScaledDown(workload, current, to)), now);
    }
}
