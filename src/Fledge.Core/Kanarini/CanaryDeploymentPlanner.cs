using System.Collections.Immutable;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using k8s;
using k8s.Models;

namespace Fledge.Core.Kanarini;

/// <summary>A track's Deployment as the platform has it; null in the snapshot when it does not exist.</summary>
/// <param name="Owned">False when a Deployment of that name exists but this CanaryDeployment did not create it.</param>
/// <param name="TemplateHash">The template-hash annotation: which template the Deployment was given.</param>
/// <param name="Ready">The Deployment has rolled out: every replica updated and available.</param>
public sealed record TrackObservation(bool Owned, string? TemplateHash, int Replicas, bool Ready)
{
    /// <summary>
    /// A track's Deployment as a platform holds it: ready once it has rolled out (its generation observed,
    /// every replica updated and available), as Kanarini's IsDeploymentReady has it.
    /// </summary>
    public static TrackObservation Of(Rollout deployment, bool owned)
    {
        var status = deployment.Status;
        var replicas = deployment.Spec.Replicas;
        var ready = status.ObservedGeneration >= deployment.Generation && status.UpdatedReplicas == replicas && status.Replicas == replicas
            && status.AvailableReplicas == replicas;
        return new TrackObservation(owned, deployment.Annotations.GetValueOrDefault(CanaryDeployment.TemplateHashAnnotation), replicas, ready);
    }
}

public sealed record CanaryDeploymentSnapshot(CanaryDeployment Deployment, TrackObservation? Canary, TrackObservation? Stable, DateTimeOffset Now);

/// <summary>Create or change a track's Deployment to this one (an apps/v1 Deployment owned by the CanaryDeployment).</summary>
public sealed record ApplyTrackDeployment(TrackName Track, V1Deployment Deployment, string Reason) : PlanAction(Reason);

/// <summary>Write the CanaryDeployment's status.</summary>
public sealed record UpdateCanaryDeploymentStatus(CanaryDeploymentStatus Status, string Reason) : PlanAction(Reason);

/// <summary>
/// Kanarini's reconcile, as one pure pass: the template (or, when it is the last template that failed, the
/// last one that succeeded) goes to the canary track; once that track is ready the metrics check waits
/// metricsCheckDelaySeconds and is then due (the platform measures and records it with
/// <see cref="MetricsCheck.Record"/>); a successful template goes on to the stable track. A template that
/// already succeeded skips the check. Every pass returns after its first write, as Kanarini does, and the
/// next pass continues from the written state.
/// </summary>
public static class CanaryDeploymentPlanner
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public static RolloutPlan Plan(CanaryDeploymentSnapshot snapshot)
    {
        var cd = snapshot.Deployment;
        var status = cd.Status;
        var now = snapshot.Now;
        var template = cd.Template;
        if (status.ObservedGeneration != cd.Generation)
        {
            var observed = status with { ObservedGeneration = cd.Generation, ObservedTemplateHash = template.Hash, Conditions = [] };
            return Write(observed, $"observed generation {cd.Generation} (template {template.Hash})");
        }

        if (RollbackTemplate(cd) is { } lastGood)
        {
            template = lastGood;
        }

        var hash = template.Hash;
        if (Converge(cd, TrackName.Canary, snapshot.Canary, template, now) is { } canaryPlan)
        {
            return canaryPlan;
        }

        if (snapshot.Canary is not { Ready: true })
        {
            return Wait();
        }

        if (status.LatestSuccessfulDeploymentSnapshot?.TemplateHash != hash)
        {
            var delay = cd.Canary.MetricsCheckDelay;
            var checkpoint = status.CanaryDeploymentReadyStatusCheckpoint;
            if (checkpoint is null || checkpoint.TemplateHash != hash)
            {
                var ready = status with { CanaryDeploymentReadyStatusCheckpoint = new ReadyCheckpoint(hash, now, MetricCheckResult.Unknown) };
                return new RolloutPlan(
                    [
                        new UpdateCanaryDeploymentStatus(ready, $"canary track ready with template {hash}"),
                        new RecordEvent(RecordEvent.Normal, KanariniReasons.DelayMetricsCheck, $"Delay metrics check by configured delay: {Durations.Format(delay)}"),
                    ],
                    delay > TimeSpan.Zero ? delay : Poll);
            }

            switch (checkpoint.MetricCheckResult)
            {
                case MetricCheckResult.Unknown:
                    // Due at LatestReadyTimestamp + delay; the platform's metrics runner takes it and records the result.
                    var remaining = checkpoint.LatestReadyTimestamp + delay - now;
                    return new RolloutPlan([], remaining > Poll ? remaining : Poll);
                case MetricCheckResult.Failure:
                    // The first template ever failed: there is nothing to go back to, so propagation stops here.
                    var stopped = status
                        .WithCondition(KanariniReasons.Progressing, ConditionStatus.False, KanariniReasons.MetricsCheckUnsuccessful, "Metrics check is unsuccessful, stopping propagation", now)
                        .WithCondition(KanariniReasons.Failure, ConditionStatus.True, KanariniReasons.MetricsCheckUnsuccessful, "Metrics check is unsuccessful, stopping propagation", now);
                    return stopped.Equals(status) ? new RolloutPlan([], null) : Write(stopped, "metrics check failed; the stable track keeps its template");
            }
        }

        if (Converge(cd, TrackName.Stable, snapshot.Stable, template, now) is { } stablePlan)
        {
            return stablePlan;
        }

        if (snapshot.Stable is not { Ready: true })
        {
            return Wait();
        }

        return Finish(cd, now);
    }

    /// <summary>
    /// The template the canary track goes back to: the last successful one, when the spec's template is the
    /// last one that failed its check.
    /// </summary>
    public static PodTemplate? RollbackTemplate(CanaryDeployment cd)
    {
        var status = cd.Status;
        if (status.LatestFailedDeploymentSnapshot?.TemplateHash != cd.Template.Hash
            || status.LatestSuccessfulDeploymentSnapshot is not { } good
            || good.TemplateHash == cd.Template.Hash)
        {
            return null;
        }

        return PodTemplate.From(KubernetesJson.Deserialize<V1PodTemplateSpec>(good.Template)) with { Hash = good.TemplateHash };
    }

    /// <summary>The Deployment that runs a track with a template: the track's labels added to the template's, selected by them.</summary>
    public static V1Deployment TrackDeployment(CanaryDeployment cd, TrackName track, PodTemplate template)
    {
        var spec = cd.Track(track);
        var podTemplate = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(template.Spec));
        podTemplate.Metadata ??= new V1ObjectMeta();
        var labels = podTemplate.Metadata.Labels = new Dictionary<string, string>(podTemplate.Metadata.Labels ?? new Dictionary<string, string>());
        foreach (var (key, value) in spec.Labels)
        {
            labels[key] = value;
        }

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta
            {
                Name = cd.DeploymentName(track),
                NamespaceProperty = cd.Namespace,
                Labels = new Dictionary<string, string>(labels),
                Annotations = new Dictionary<string, string> { [CanaryDeployment.TemplateHashAnnotation] = template.Hash },
                OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = CanaryDeployment.ApiVersion, Kind = CanaryDeployment.KindName, Name = cd.Name, Controller = true, Uid = "" },
                ],
            },
            Spec = new V1DeploymentSpec
            {
                Replicas = spec.Replicas,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) },
                Template = podTemplate,
                MinReadySeconds = cd.MinReadySeconds,
                ProgressDeadlineSeconds = cd.ProgressDeadlineSeconds ?? int.MaxValue,
                // Kanarini keeps no history in the track Deployments: the CanaryDeployment's snapshots are the history.
                RevisionHistoryLimit = 0,
            },
        };
    }

    private static RolloutPlan? Converge(CanaryDeployment cd, TrackName track, TrackObservation? observed, PodTemplate template, DateTimeOffset now)
    {
        var name = cd.DeploymentName(track);
        var spec = cd.Track(track);
        var status = cd.Status;
        if (observed is { Owned: false })
        {
            var message = $"New Deployment conflicts with existing one: \"{name}\"";
            var conflict = status.WithCondition(KanariniReasons.Progressing, ConditionStatus.False, KanariniReasons.DeploymentCreateError, message, now);
            return conflict.Equals(status)
                ? new RolloutPlan([], null)
                : new RolloutPlan(
                    [
                        new UpdateCanaryDeploymentStatus(conflict, message),
                        new RecordEvent(RecordEvent.Warning, KanariniReasons.DeploymentCreateError, $"{message}; delete or rename it, or rename the CanaryDeployment"),
                    ],
                    null);
        }

        if (observed is not null && observed.TemplateHash == template.Hash && observed.Replicas == spec.Replicas)
        {
            return null;
        }

        var created = observed is null;
        var text = created ? $"Created new Deployment \"{name}\"" : $"Updated Deployment \"{name}\"";
        var progressing = status.WithCondition(KanariniReasons.Progressing, ConditionStatus.True,
            created ? KanariniReasons.NewDeploymentCreated : KanariniReasons.UpdatedDeployment, text, now);
        ImmutableArray<PlanAction> actions =
        [
            new ApplyTrackDeployment(track, TrackDeployment(cd, track, template), $"{track.ToString().ToLowerInvariant()} track: template {template.Hash} ({template.Image}), {spec.Replicas} replicas"),
            new RecordEvent(RecordEvent.Normal, created ? KanariniReasons.CreatedDeployment : KanariniReasons.UpdatedDeployment, text),
        ];
        if (!progressing.Equals(status))
        {
            actions = actions.Add(new UpdateCanaryDeploymentStatus(progressing, text));
        }

        return new RolloutPlan(actions, Poll);
    }

    private static RolloutPlan Finish(CanaryDeployment cd, DateTimeOffset now)
    {
        var status = cd.Status;
        var succeeded = status.LatestSuccessfulDeploymentSnapshot?.TemplateHash == status.ObservedTemplateHash;
        var message = succeeded ? "Successfully reconciled spec" : "Finished rolling back to the latest stable spec";
        var done = status.WithCondition(KanariniReasons.Progressing, ConditionStatus.False, KanariniReasons.DoneProcessing, message, now);
        done = succeeded
            ? done.WithCondition(KanariniReasons.Ready, ConditionStatus.True, KanariniReasons.DoneReady, message, now)
            : done.WithCondition(KanariniReasons.Failure, ConditionStatus.True, KanariniReasons.DoneFailure, message, now);
        if (done.Equals(status))
        {
            return new RolloutPlan([], null);
        }

        return new RolloutPlan(
            [
                new UpdateCanaryDeploymentStatus(done, message),
                new RecordEvent(succeeded ? RecordEvent.Normal : RecordEvent.Warning, KanariniReasons.DoneProcessing,
                    succeeded ? KanariniReasons.DoneProcessingMessage : $"{KanariniReasons.DoneProcessingMessage}: {message}"),
            ],
            null);
    }

    private static RolloutPlan Write(CanaryDeploymentStatus status, string reason) => new([new UpdateCanaryDeploymentStatus(status, reason)], Poll);

    private static RolloutPlan Wait() => new([], Poll);
}
