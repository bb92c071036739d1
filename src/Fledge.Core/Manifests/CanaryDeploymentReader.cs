using System.Collections.Immutable;
using Fledge.Core.Kanarini;
using Fledge.Core.Rollouts;
using Fledge.Core.Validation;
using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>
/// Turns a Kanarini CanaryDeployment into the planner's <see cref="CanaryDeployment"/>: defaults applied
/// (each track 1 replica, minReadySeconds 0, progressDeadlineSeconds 600), then checked. The template is
/// checked exactly as a Deployment's is, since each track runs it as one.
/// </summary>
public static class CanaryDeploymentReader
{
    public static (CanaryDeployment? Deployment, IReadOnlyList<ManifestError> Errors) Read(ManifestObject obj)
    {
        var (deployment, errors) = FromResource((CanaryDeploymentResource)obj.Resource, CanaryDeploymentStatus.Empty);
        return (deployment, errors.Select(e => obj.Error(e.Field, e.ToString())).ToList());
    }

    /// <summary>Applies the defaults (in place), validates, and builds the CanaryDeployment with the given status.</summary>
    public static (CanaryDeployment? Deployment, IReadOnlyList<FieldError> Errors) FromResource(CanaryDeploymentResource resource, CanaryDeploymentStatus status)
    {
        var spec = resource.Spec ??= new CanaryDeploymentSpecResource();
        spec.MinReadySeconds ??= 0;
        spec.ProgressDeadlineSeconds ??= 600;
        var tracks = spec.Tracks ??= new CanaryDeploymentTracksResource();
        tracks.Canary ??= new CanaryTrackResource();
        tracks.Stable ??= new TrackResource();
        tracks.Canary.Replicas ??= 1;
        tracks.Stable.Replicas ??= 1;
        tracks.Canary.MetricsCheckDelaySeconds ??= 0;

        var errors = Validate(resource);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var metadata = resource.Metadata!;
        var deployment = new CanaryDeployment(
            metadata.Name,
            metadata.NamespaceProperty ?? "default",
            metadata.Generation ?? 1,
            spec.Selector!,
            PodTemplate.From(spec.Template!),
            spec.MinReadySeconds.Value,
            spec.ProgressDeadlineSeconds == int.MaxValue ? null : spec.ProgressDeadlineSeconds,
            new TrackSpec(tracks.Canary.Replicas.Value, Labels(tracks.Canary.Labels), TimeSpan.FromSeconds(tracks.Canary.MetricsCheckDelaySeconds.Value),
                [.. (tracks.Canary.Metrics ?? []).Select(MetricOf)]),
            new TrackSpec(tracks.Stable.Replicas.Value, Labels(tracks.Stable.Labels), TimeSpan.Zero, []),
            status);
        return (deployment, errors);
    }

    private static List<FieldError> Validate(CanaryDeploymentResource resource)
    {
        var spec = resource.Spec!;
        var tracks = spec.Tracks!;
        var name = resource.Metadata?.Name;

        // The template, selector and timing are checked as the canary track's Deployment would be.
        var asDeployment = new RolloutResource
        {
            Metadata = new V1ObjectMeta { Name = string.IsNullOrEmpty(name) ? null : name },
            Spec = new RolloutSpecResource
            {
                Replicas = 1,
                Selector = spec.Selector,
                Template = spec.Template,
                MinReadySeconds = spec.MinReadySeconds,
                ProgressDeadlineSeconds = spec.ProgressDeadlineSeconds,
                RevisionHistoryLimit = 0,
                Strategy = new RolloutStrategyResource { Type = nameof(StrategyType.RollingUpdate), RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = "25%" } },
            },
        };
        var errors = RolloutValidator.Validate(asDeployment).ToList();
        if (!string.IsNullOrEmpty(name) && Names.CheckSubdomain(name + "-canary") is { } problem)
        {
            errors.Add(FieldError.Invalid("metadata.name", name, $"the track Deployments are named {name}-canary and {name}-stable: {problem}"));
        }

        CheckTrack("spec.tracks.canary", tracks.Canary!.Replicas!.Value, tracks.Canary.Labels, "track: canary", errors);
        CheckTrack("spec.tracks.stable", tracks.Stable!.Replicas!.Value, tracks.Stable.Labels, "track: stable", errors);
        if (tracks.Canary.Labels is { Count: > 0 } canaryLabels && tracks.Stable.Labels is { Count: > 0 } stableLabels
            && !canaryLabels.Any(l => stableLabels.TryGetValue(l.Key, out var other) && other != l.Value))
        {
            errors.Add(FieldError.Invalid("spec.tracks.stable.labels", stableLabels,
                "must differ from spec.tracks.canary.labels in the value of a shared key (e.g. track: canary and track: stable), so each track's Deployment selects only its own pods"));
        }

        if (tracks.Canary.MetricsCheckDelaySeconds is < 0)
        {
            errors.Add(FieldError.Invalid("spec.tracks.canary.metricsCheckDelaySeconds", tracks.Canary.MetricsCheckDelaySeconds.Value, "must be greater than or equal to 0"));
        }

        var metrics = tracks.Canary.Metrics ?? [];
        for (var i = 0; i < metrics.Count; i++)
        {
            CheckMetric($"spec.tracks.canary.metrics[{i}]", metrics[i], errors);
        }

        return errors;
    }

    private static void CheckTrack(string field, int replicas, Dictionary<string, string>? labels, string example, List<FieldError> errors)
    {
        if (replicas < 0)
        {
            errors.Add(FieldError.Invalid($"{field}.replicas", replicas, "must be greater than or equal to 0"));
        }
        else if (replicas > RolloutValidator.MaxReplicas)
        {
            errors.Add(FieldError.Invalid($"{field}.replicas", replicas, $"must be no more than {RolloutValidator.MaxReplicas}"));
        }

        if (labels is null || labels.Count == 0)
        {
            errors.Add(FieldError.Required($"{field}.labels", $"labels that tell this track's pods apart, e.g. {example}"));
            return;
        }

        foreach (var (key, value) in labels)
        {
            if (Names.CheckLabel(value) is { } problem && value.Length > 0)
            {
                errors.Add(FieldError.Invalid($"{field}.labels.{key}", value, problem));
            }
        }
    }

    private static void CheckMetric(string field, TrackMetricResource metric, List<FieldError> errors)
    {
        switch (metric.Type)
        {
            case TrackMetric.ObjectType:
                if (metric.Object is not { } source)
                {
                    errors.Add(FieldError.Required($"{field}.object", "an Object metric names describedObject, metric and target"));
                    return;
                }

                if (string.IsNullOrEmpty(source.DescribedObject?.Kind))
                {
                    errors.Add(FieldError.Required($"{field}.object.describedObject.kind", "the kind of the object the metric describes, e.g. Service"));
                }

                if (string.IsNullOrEmpty(source.DescribedObject?.Name))
                {
                    errors.Add(FieldError.Required($"{field}.object.describedObject.name", "the name of the object the metric describes, e.g. the canary's Service"));
                }

                CheckIdentity($"{field}.object", source.Metric, source.Target, errors);
                break;
            case TrackMetric.ExternalType:
                if (metric.External is not { } external)
                {
                    errors.Add(FieldError.Required($"{field}.external", "an External metric names metric and target"));
                    return;
                }

                CheckIdentity($"{field}.external", external.Metric, external.Target, errors);
                break;
            default:
                errors.Add(FieldError.NotSupported($"{field}.type", metric.Type ?? "", TrackMetric.ObjectType, TrackMetric.ExternalType));
                break;
        }
    }

    private static void CheckIdentity(string field, V2MetricIdentifier? metric, V2MetricTarget? target, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(metric?.Name))
        {
            errors.Add(FieldError.Required($"{field}.metric.name", "the metric's name, e.g. request_failure_rate:1m"));
        }

        if (target?.Type != "Value")
        {
            errors.Add(FieldError.NotSupported($"{field}.target.type", target?.Type ?? "", "Value"));
        }
        else if (target.Value is null)
        {
            errors.Add(FieldError.Required($"{field}.target.value", "the value at or above which the canary fails, e.g. 0.1"));
        }
    }

    private static TrackMetric MetricOf(TrackMetricResource metric) => metric.Type == TrackMetric.ObjectType
        ? new TrackMetric(TrackMetric.ObjectType,
            new ObjectReference(metric.Object!.DescribedObject.Kind, metric.Object.DescribedObject.Name, metric.Object.DescribedObject.ApiVersion),
            metric.Object.Metric.Name, SelectorText(metric.Object.Metric.Selector), (double)metric.Object.Target.Value.ToDecimal())
        : new TrackMetric(TrackMetric.ExternalType, null, metric.External!.Metric.Name, SelectorText(metric.External.Metric.Selector),
            (double)metric.External.Target.Value.ToDecimal());

    /// <summary>A label selector in its string form, as the metrics APIs take it: "app=foo,track in (canary)".</summary>
    public static string? SelectorText(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return null;
        }

        var parts = (selector.MatchLabels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}").ToList();
        foreach (var e in selector.MatchExpressions ?? [])
        {
            parts.Add(e.OperatorProperty switch
            {
                "In" => $"{e.Key} in ({string.Join(",", e.Values ?? [])})",
                "NotIn" => $"{e.Key} notin ({string.Join(",", e.Values ?? [])})",
                "Exists" => e.Key,
                _ => $"!{e.Key}",
            });
        }

        return parts.Count == 0 ? null : string.Join(",", parts);
    }

    private static ImmutableSortedDictionary<string, string> Labels(Dictionary<string, string>? labels) =>
        (labels ?? new Dictionary<string, string>()).ToImmutableSortedDictionary(StringComparer.Ordinal);
}
