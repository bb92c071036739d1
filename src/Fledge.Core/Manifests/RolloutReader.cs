using System.Collections.Immutable;
using System.Globalization;
using Fledge.Core.Rollouts;
using Fledge.Core.Validation;
using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>
/// Turns a Rollout or Deployment read from a file into the planner's <see cref="Rollout"/>: defaults
/// of its apiVersion applied, then validated. A Deployment is treated as a Rollout with the same fields.
/// </summary>
public static class RolloutReader
{
    public static bool IsRollout(ManifestObject obj) => obj.Resource is RolloutResource or V1Deployment;

    /// <summary>
    /// The rollout, or the errors that stop it (each located in the file). A rollout with a workloadRef takes the
    /// template of the Deployment <paramref name="deployments"/> finds by name (none found is an error).
    /// </summary>
    public static (Rollout? Rollout, IReadOnlyList<ManifestError> Errors) Read(ManifestObject obj, Func<string, RolloutResource?>? deployments = null)
    {
        var (rollout, fieldErrors) = ReadResource(obj, deployments).Result;
        return (rollout, fieldErrors.Select(e => obj.Error(e.Field, e.ToString())).ToList());
    }

    /// <summary>The object as the resource to keep (a workloadRef resolved into it), with the rollout it makes or the errors.</summary>
    public static (RolloutResource Resource, (Rollout? Rollout, IReadOnlyList<FieldError> Errors) Result) ReadResource(
        ManifestObject obj, Func<string, RolloutResource?>? deployments = null)
    {
        var resource = ToResource(obj);
        if (resource.Spec?.WorkloadRef is { } workload)
        {
            var refErrors = WorkloadRefs.Validate(resource.Spec, asWritten: true);
            if (refErrors.Count > 0)
            {
                return (resource, (null, refErrors));
            }

            if (deployments?.Invoke(workload.Name!) is not { } deployment)
            {
                return (resource, (null, [WorkloadRefs.NotFound(workload)]));
            }

            resource = WorkloadRefs.Resolve(resource, deployment);
        }

        return (resource, FromResource(resource, obj.ApiVersion, obj.Kind));
    }

    /// <summary>The object as a Rollout resource (a Deployment's fields copied over).</summary>
    public static RolloutResource ToResource(ManifestObject obj) => obj.Resource switch
    {
        RolloutResource rollout => rollout,
        V1Deployment deployment => FromDeployment(deployment),
        _ => throw new ArgumentException($"{obj.Display} is not a Rollout or Deployment", nameof(obj)),
    };

    /// <summary>Applies the defaults of <paramref name="apiVersion"/> (in place), validates, and builds the rollout.</summary>
    public static (Rollout? Rollout, IReadOnlyList<FieldError> Errors) FromResource(RolloutResource resource, string apiVersion, string kind)
    {
        if (resource.Spec?.WorkloadRef is { } workload && resource.Spec.Template is null)
        {
            return (null, [WorkloadRefs.NotFound(workload)]);
        }

        ApplyDefaults(resource, apiVersion);
        var errors = RolloutValidator.Validate(resource);
        return errors.Count > 0 ? (null, errors) : (ToRollout(resource, kind), errors);
    }

    /// <summary>A Deployment's fields in the shape of a Rollout.</summary>
    public static RolloutResource FromDeployment(V1Deployment deployment) => new()
    {
        ApiVersion = deployment.ApiVersion,
        Kind = deployment.Kind,
        Metadata = deployment.Metadata,
        Status = deployment.Status,
        Spec = deployment.Spec is not { } spec ? null : new RolloutSpecResource
        {
            Replicas = spec.Replicas,
            Selector = spec.Selector,
            Template = spec.Template,
            MinReadySeconds = spec.MinReadySeconds,
            ProgressDeadlineSeconds = spec.ProgressDeadlineSeconds,
            RevisionHistoryLimit = spec.RevisionHistoryLimit,
            Paused = spec.Paused,
            Strategy = spec.Strategy is not { } strategy ? null : new RolloutStrategyResource
            {
                Type = strategy.Type,
                RollingUpdate = strategy.RollingUpdate,
            },
        },
    };

    /// <summary>
    /// Defaults as the API server applies them. apps/v1 (and fledge.io): 1 replica, RollingUpdate 25%/25%,
    /// revisionHistoryLimit 10, progressDeadlineSeconds 600. The legacy groups keep their old defaults:
    /// extensions/v1beta1 surges 1 and has no history limit or deadline; apps/v1beta1 keeps 2 revisions;
    /// both take the selector from the template labels when none is given.
    /// </summary>
    private static void ApplyDefaults(RolloutResource resource, string apiVersion)
    {
        var spec = resource.Spec ??= new RolloutSpecResource();
        var legacyExtensions = apiVersion == "extensions/v1beta1";
        var legacyApps = apiVersion == "apps/v1beta1";
        spec.Replicas ??= 1;
        spec.MinReadySeconds ??= 0;
        if (!legacyExtensions)
        {
            spec.ProgressDeadlineSeconds ??= 600;
            spec.RevisionHistoryLimit ??= legacyApps ? 2 : 10;
        }

        if ((legacyExtensions || legacyApps) && spec.Selector is null && spec.Template?.Metadata?.Labels is { Count: > 0 } labels)
        {
            spec.Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) };
        }

        foreach (var container in spec.Template?.Spec?.Containers ?? [])
        {
            if (string.IsNullOrEmpty(container.Name) && !string.IsNullOrEmpty(container.Image))
            {
                container.Name = NameFromImage(container.Image);
            }
        }

        var strategy = spec.Strategy ??= new RolloutStrategyResource();
        if (strategy.BlueGreen is { } blueGreen)
        {
            blueGreen.AutoPromotionEnabled ??= true;
            blueGreen.ScaleDownDelaySeconds ??= 30;
            blueGreen.AbortScaleDownDelaySeconds ??= 30;
            return;
        }

        if (strategy.Canary is { } canary)
        {
            // Argo Rollouts' defaults: 25% / 25%. The scale-down delays stay as written, so that the validator sees
            // what was written (Argo refuses scaleDownDelaySeconds without a router); CanaryOf resolves them.
            canary.MaxSurge ??= "25%";
            canary.MaxUnavailable ??= "25%";
            return;
        }

        strategy.Type ??= nameof(StrategyType.RollingUpdate);
        if (strategy.Type == nameof(StrategyType.RollingUpdate))
        {
            var rolling = strategy.RollingUpdate ??= new V1RollingUpdateDeployment();
            rolling.MaxSurge ??= legacyExtensions ? "1" : "25%";
            rolling.MaxUnavailable ??= legacyExtensions ? "1" : "25%";
        }
    }

    private static Rollout ToRollout(RolloutResource resource, string kind)
    {
        var spec = resource.Spec!;
        var strategy = spec.Strategy!.BlueGreen is { } blueGreen ? BlueGreenOf(blueGreen, resource.Metadata!)
            : spec.Strategy.Canary is { } canary ? CanaryOf(canary, resource.Metadata!)
            : spec.Strategy.Type == nameof(StrategyType.Recreate) ? RolloutStrategy.Recreate
            : new RolloutStrategy(
                StrategyType.RollingUpdate,
                Parse(spec.Strategy.RollingUpdate!.MaxSurge!.Value),
                Parse(spec.Strategy.RollingUpdate.MaxUnavailable!.Value));
        var metadata = resource.Metadata!;
        var rolloutSpec = new RolloutSpec(
            spec.Replicas!.Value,
            spec.Selector!,
            PodTemplate.From(spec.Template!),
            strategy,
            spec.MinReadySeconds!.Value,
            Unlimited(spec.ProgressDeadlineSeconds),
            Unlimited(spec.RevisionHistoryLimit),
            spec.Paused ?? false)
        {
            ProgressDeadlineAbort = spec.ProgressDeadlineAbort == true,
            RollbackWindowRevisions = spec.RollbackWindow?.Revisions ?? 0,
            RestartAt = spec.RestartAt is { } restartAt ? DateTimeOffset.Parse(restartAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null,
            Workload = spec.WorkloadRef is { } workload ? new WorkloadReference(workload.Name!, workload.ScaleDown ?? WorkloadRefs.Never) : null,
        };
        return new Rollout(
            metadata.Name,
            metadata.NamespaceProperty ?? "default",
            kind,
            metadata.Generation ?? 1,
            (metadata.Annotations ?? new Dictionary<string, string>()).ToImmutableSortedDictionary(StringComparer.Ordinal),
            rolloutSpec,
            StatusReader.Read(resource.Status));
    }

    /// <summary>
    /// A container written without a name (listings trimmed for print, such as the Up &amp; Running nginx
    /// Deployment) is named after its image: "nginx:1.7.12" becomes "nginx". Kubernetes would reject it;
    /// Fledge reads it, and duplicate names are still an error.
    /// </summary>
    private static string NameFromImage(string image)
    {
        var name = image.Split('@')[0];
        name = name[(name.LastIndexOf('/') + 1)..];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        name = (colon >= 0 ? name[..colon] : name).ToLowerInvariant();
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        return new string(chars).Trim('-') is { Length: > 0 } clean ? clean : "app";
    }

    private static RolloutStrategy CanaryOf(CanaryStrategyResource canary, V1ObjectMeta metadata)
    {
        var surge = Parse(canary.MaxSurge!.Value);
        var unavailable = Parse(canary.MaxUnavailable!.Value);
        var steps = (canary.Steps ?? []).Select(step => step switch
        {
            { SetWeight: { } weight } => new SetWeightStep(Percent(weight, canary.TrafficRouting?.MaxTrafficWeight)),
            { Pause: { } pause } => new PauseStep(pause.Duration?.Value is { } text && Durations.TryParse(text, out var duration) ? duration : null),
            { SetCanaryScale: { } scale } => (CanaryStep)new SetCanaryScaleStep(scale.Replicas, scale.Weight, scale.MatchTrafficWeight == true),
            { Analysis: { } analysis } => new AnalysisStep(AnalysisOf(analysis, metadata)),
            { SetHeaderRoute: { } header } => new SetHeaderRouteStep(header.Name!,
                (header.Match ?? []).Select(m => new HeaderRouteMatch(m.HeaderName!, MatchOf(m.HeaderValue)!)).ToImmutableArray()),
            { SetMirrorRoute: { } mirror } => new SetMirrorRouteStep(mirror.Name!, mirror.Percentage ?? 100,
                (mirror.Match ?? []).Select(m => new RouteMatch(MatchOf(m.Method), MatchOf(m.Path),
                    (m.Headers ?? []).ToImmutableSortedDictionary(h => h.Key, h => MatchOf(h.Value)!, StringComparer.OrdinalIgnoreCase))).ToImmutableArray()),
            { Experiment: { } experiment } => ExperimentOf(experiment, metadata),
            _ => throw new FormatException("unchecked canary step"),
        }).ToImmutableArray();
        var hooks = (canary.Webhooks ?? []).Select(WebhookOf).ToList();
        var background = canary.Analysis is { } written ? AnalysisOf(written, metadata) : null;
        (steps, background) = Planning.Webhooks.Gates(hooks, steps, background);
        return new RolloutStrategy(StrategyType.Canary, surge, unavailable)
        {
            Canary = new CanaryStrategy(canary.CanaryService, canary.StableService, steps, surge, unavailable,
                AbortScaleDownDelay(canary), ScaleDownDelay(canary), canary.TrafficRouting is not null)
            {
                Analysis = background,
                Notifications = [.. hooks.Where(h => h.Type is Webhook.PostRollout or Webhook.Event)],
                DynamicStableScale = canary.DynamicStableScale == true,
                ScaleDownDelayRevisionLimit = canary.ScaleDownDelayRevisionLimit,
                MinPodsPerReplicaSet = canary.MinPodsPerReplicaSet,
            },
        };
    }

    private static ExperimentStep ExperimentOf(ExperimentStepResource experiment, V1ObjectMeta metadata)
    {
        var analyses = experiment.Analyses ?? [];
        return new ExperimentStep(
            experiment.Duration is { } text && Durations.TryParse(text, out var duration) ? duration : null,
            (experiment.Templates ?? []).Select(t => new ExperimentTemplate(t.Name!, t.SpecRef!, t.Replicas ?? 1,
                t.Metadata?.Labels is { Count: > 0 } labels ? labels.ToImmutableSortedDictionary(StringComparer.Ordinal) : null)).ToImmutableArray(),
            analyses.Count == 0 ? null : AnalysisOf(ExperimentAnalyses(experiment), metadata),
            analyses.Any(a => a.RequiredForCompletion == true));
    }

    /// <summary>An experiment's analyses as one analysis of the rollout: their templates, and their arguments (the same name has one value).</summary>
    internal static RolloutAnalysisResource ExperimentAnalyses(ExperimentStepResource experiment) => new()
    {
        Templates = [.. (experiment.Analyses ?? []).Select(a => new AnalysisTemplateRefResource { TemplateName = a.TemplateName, ClusterScope = a.ClusterScope })],
        Args = [.. (experiment.Analyses ?? []).SelectMany(a => a.Args ?? []).DistinctBy(a => a.Name)],
    };

    private static Webhook WebhookOf(WebhookResource hook) => new(hook.Name!, hook.Type!, hook.Url!,
        hook.Timeout is { } text && Durations.TryParse(text, out var timeout) ? timeout : TimeSpan.FromSeconds(10), hook.Retries ?? 0,
        (hook.Metadata ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal));

    /// <summary>A setWeight out of maxTrafficWeight as the percentage of requests it means (rounded to the nearest).</summary>
    private static int Percent(int weight, int? maxTrafficWeight) =>
        maxTrafficWeight is > 0 and not 100 and var max ? (int)Math.Round(weight * 100.0 / max, MidpointRounding.AwayFromZero) : weight;

    private static StringMatch? MatchOf(StringMatchResource? match) => match is null ? null : new StringMatch(match.Exact, match.Prefix, match.Regex);

    /// <summary>Argo's default: 30 s with a router; without one an abort is a rolling update back to stable, with no delay.</summary>
    private static int AbortScaleDownDelay(CanaryStrategyResource canary) => canary.AbortScaleDownDelaySeconds ?? (canary.TrafficRouting is null ? 0 : 30);

    /// <summary>Argo's default: 30 s with a router (0 with dynamicStableScale, which already scaled the old stable down); none without one.</summary>
    private static int ScaleDownDelay(CanaryStrategyResource canary) =>
        canary.ScaleDownDelaySeconds ?? (canary.TrafficRouting is null || canary.DynamicStableScale == true ? 0 : 30);

    private static RolloutStrategy BlueGreenOf(BlueGreenStrategyResource blueGreen, V1ObjectMeta metadata) =>
        new(StrategyType.BlueGreen, default, default)
        {
            BlueGreen = new BlueGreenStrategy(blueGreen.ActiveService!, blueGreen.PreviewService, blueGreen.AutoPromotionEnabled!.Value,
                blueGreen.AutoPromotionSeconds, blueGreen.PreviewReplicaCount, blueGreen.ScaleDownDelaySeconds!.Value,
                blueGreen.AbortScaleDownDelaySeconds!.Value,
                blueGreen.PrePromotionAnalysis is { } pre ? AnalysisOf(pre, metadata) : null,
                blueGreen.PostPromotionAnalysis is { } post ? AnalysisOf(post, metadata) : null)
            {
                ScaleDownDelayRevisionLimit = blueGreen.ScaleDownDelayRevisionLimit,
            },
        };

    /// <summary>A rollout's analysis: its arguments' fieldRef values read from the rollout's metadata here, the pod-template-hash ones when a run starts.</summary>
    private static Analysis.RolloutAnalysis AnalysisOf(RolloutAnalysisResource analysis, V1ObjectMeta metadata) => new(
        (analysis.Templates ?? []).Select(t => t.ClusterScope == true ? AnalysisTemplateReader.ClusterKey(t.TemplateName ?? "") : t.TemplateName ?? "").ToImmutableArray(),
        (analysis.Args ?? []).Where(a => a.Name is not null && a.ValueFrom?.PodTemplateHashValue is null)
            .ToImmutableSortedDictionary(a => a.Name!, a => a.ValueFrom?.FieldRef?.FieldPath is { } path ? FieldValue(metadata, path) ?? "" : a.Value ?? "", StringComparer.Ordinal),
        analysis.StartingStep ?? 0)
    {
        HashArgs = (analysis.Args ?? []).Where(a => a.Name is not null && a.ValueFrom?.PodTemplateHashValue is not null)
            .ToImmutableSortedDictionary(a => a.Name!, a => a.ValueFrom!.PodTemplateHashValue!, StringComparer.Ordinal),
        Options = AnalysisTemplateReader.OptionsOf(analysis.DryRun, analysis.MeasurementRetention),
    };

    /// <summary>
    /// A field of the rollout's metadata as the downward API names it: metadata.name, metadata.namespace, metadata.uid,
    /// metadata.labels['KEY'], metadata.annotations['KEY']; null for another path.
    /// </summary>
    public static string? FieldValue(V1ObjectMeta metadata, string path)
    {
        static string? Key(string path, string prefix) =>
            path.StartsWith(prefix + "['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal) ? path[(prefix.Length + 2)..^2] : null;
        return path switch
        {
            "metadata.name" => metadata.Name ?? "",
            "metadata.namespace" => metadata.NamespaceProperty ?? "default",
            "metadata.uid" => metadata.Uid ?? "",
            _ when Key(path, "metadata.labels") is { } label => (metadata.Labels is { } labels && labels.TryGetValue(label, out var l) ? l : ""),
            _ when Key(path, "metadata.annotations") is { } annotation => (metadata.Annotations is { } annotations && annotations.TryGetValue(annotation, out var a) ? a : ""),
            _ => null,
        };
    }

    /// <summary>Kubernetes spells "none" as MaxInt32 for both progressDeadlineSeconds and revisionHistoryLimit.</summary>
    private static int? Unlimited(int? value) => value == int.MaxValue ? null : value;

    private static IntOrPercent Parse(string text) =>
        IntOrPercent.TryParse(text, out var value) ? value : throw new FormatException($"unchecked int-or-percent \"{text}\"");
}
