using Fledge.Core.Kanarini;
using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;
using Fledge.Local.Platform;
using k8s;
using k8s.Models;

namespace Fledge.Local.Api;

/// <summary>The control API's CanaryDeployment commands: apply one, list them, describe one.</summary>
internal sealed partial class RuntimeCommands
{
    private string ApplyCanaryDeployment(CanaryDeploymentResource resource, DateTimeOffset now)
    {
        if (platform.FindCanaryDeployment(resource.Metadata!.Name) is not { } existing)
        {
            resource.Metadata.Generation = 1;
            platform.Put(new CanaryDeploymentRecord(resource, Core.Kanarini.CanaryDeploymentStatus.Empty, now), now);
            return "created";
        }

        if (!existing.Replace(resource))
        {
            return "unchanged";
        }

        platform.Put(existing, now);
        return "configured";
    }

    public Task<CanaryDeploymentList> CanaryDeploymentsAsync() => ReadAsync(() =>
        new CanaryDeploymentList(platform.CanaryDeployments.OrderBy(c => c.Name, StringComparer.Ordinal).Select(CanarySummary).ToList()));

    public Task<CanaryDeploymentDetail> DescribeCanaryDeploymentAsync(string name) => ReadAsync(() =>
    {
        var record = platform.FindCanaryDeployment(name) ?? throw CommandException.NotFound("CanaryDeployment", name);
        return new CanaryDeploymentDetail(CanarySummary(record),
            store.Events($"{Core.Kanarini.CanaryDeployment.KindName}/{name}", 20).Select(e => new EventSummary(e.At, e.Type, e.Reason, e.Message)).ToList());
    });

    /// <summary>Why a due check has not happened: the latest metric that could not be read since it was due (no traffic yet, the API down).</summary>
    private string? WaitingForMetric(string name, DateTimeOffset due) =>
        store.Events($"{Core.Kanarini.CanaryDeployment.KindName}/{name}", 5)
            .LastOrDefault(e => e.Reason == Core.Kanarini.KanariniReasons.FailedGetMetric && e.At >= due)?.Message;

    private CanaryDeploymentSummary CanarySummary(CanaryDeploymentRecord record)
    {
        var cd = record.Deployment;
        var status = cd.Status;
        TrackSummary Track(Core.Kanarini.TrackName track)
        {
            var name = cd.DeploymentName(track);
            var rollout = platform.Find(name)?.Rollout;
            var observed = platform.ObserveTrack(cd, track);
            return new TrackSummary(name, rollout?.Spec.Template.Image, cd.Track(track).Replicas, rollout?.Status.ReadyReplicas ?? 0,
                rollout?.Status.AvailableReplicas ?? 0, observed is { Ready: true, Owned: true });
        }

        static string? Image(Core.Kanarini.DeploymentSnapshot? snapshot) => snapshot is null ? null
            : $"{PodTemplate.From(KubernetesJson.Deserialize<V1PodTemplateSpec>(snapshot.Template)).Image} ({snapshot.TemplateHash})";

        var now = time.GetUtcNow();
        var phase = cd.Phase;
        var message = phase switch
        {
            Core.Kanarini.CanaryDeploymentPhases.Failed => status.Condition(Core.Kanarini.KanariniReasons.Failure)!.Message,
            Core.Kanarini.CanaryDeploymentPhases.Ready => status.Condition(Core.Kanarini.KanariniReasons.Ready)!.Message,
            Core.Kanarini.CanaryDeploymentPhases.Checking => cd.CheckDueAt > now
                ? $"metrics check in {Core.Durations.Format(TimeSpan.FromSeconds(Math.Ceiling((cd.CheckDueAt.Value - now).TotalSeconds)))}"
                : WaitingForMetric(cd.Name, cd.CheckDueAt!.Value) is { } waiting
                    ? $"metrics check due, waiting for its metric (tried again every 5s): {waiting}"
                    : "metrics check due",
            _ => status.Condition(Core.Kanarini.KanariniReasons.Progressing)?.Message ?? "",
        };
        return new CanaryDeploymentSummary(cd.Name, cd.Template.Image, phase, message, Track(Core.Kanarini.TrackName.Canary), Track(Core.Kanarini.TrackName.Stable),
            Image(status.LatestSuccessfulDeploymentSnapshot), Image(status.LatestFailedDeploymentSnapshot),
            status.LatestMetrics.IsDefault ? [] : status.LatestMetrics, cd.Generation, status.ObservedGeneration,
            (status.Conditions.IsDefault ? [] : status.Conditions)
                .Select(c => new ConditionSummary(c.Type, c.Status.ToString(), c.Reason, c.Message, c.LastUpdateTime, c.LastTransitionTime)).ToList(),
            record.CreatedAt);
    }
}
