using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;
using k8s.Models;

namespace Fledge.Core.Validation;

/// <summary>
/// Validates a Rollout (or a Deployment read into the same shape) after defaulting, with the checks and
/// messages of Kubernetes' ValidateDeploymentSpec. Every error is returned, not only the first.
/// </summary>
public static class RolloutValidator
{
    /// <summary>The most replicas a rollout may ask for anywhere; one host runs far fewer (fledge serve --max-replicas).</summary>
    public const int MaxReplicas = 100_000;

    public const string PercentMessage =
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

    public static IReadOnlyList<FieldError> Validate(RolloutResource rollout)
    {
        var errors = new List<FieldError>();
        ValidateName(rollout.Metadata?.Name, errors);
        PodTemplateValidator.ValidateMetadata(rollout.Metadata, "metadata", errors);
        var spec = rollout.Spec ?? new RolloutSpecResource();

        if (spec.Replicas is < 0)
        {
            errors.Add(FieldError.Invalid("spec.replicas", spec.Replicas.Value, "must be greater than or equal to 0"));
        }
        else if (spec.Replicas > MaxReplicas)
        {
            errors.Add(FieldError.Invalid("spec.replicas", spec.Replicas.Value,
                $"must be no more than {MaxReplicas}, more than a Kubernetes cluster of 5,000 nodes runs (150,000 pods in all)"));
        }

        if (spec.WorkloadRef is not null)
        {
            // The template is the Deployment's, copied in when the rollout was read.
            errors.AddRange(Manifests.WorkloadRefs.Validate(spec, asWritten: false));
        }

        ValidateSelector(spec, errors);
        ValidateTemplate(spec.Template, errors);
        PodTemplateValidator.Validate(spec.Template, "spec.template", errors);
        ValidateStrategy(spec.Strategy, errors);
        ValidateArgoSpec(spec, errors);

        if (spec.MinReadySeconds is < 0)
        {
            errors.Add(FieldError.Invalid("spec.minReadySeconds", spec.MinReadySeconds.Value, "must be greater than or equal to 0"));
        }

        if (spec.RevisionHistoryLimit is < 0)
        {
            errors.Add(FieldError.Invalid("spec.revisionHistoryLimit", spec.RevisionHistoryLimit.Value, "must be greater than or equal to 0"));
        }

        if (spec.ProgressDeadlineSeconds is { } deadline)
        {
            if (deadline < 0)
            {
                errors.Add(FieldError.Invalid("spec.progressDeadlineSeconds", deadline, "must be greater than or equal to 0"));
            }
            else if (deadline <= (spec.MinReadySeconds ?? 0))
            {
                errors.Add(FieldError.Invalid("spec.progressDeadlineSeconds", deadline,
                    $"must be greater than minReadySeconds ({spec.MinReadySeconds ?? 0})"));
            }
        }

        return errors;
    }

    private static void ValidateName(string? name, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else if (Names.CheckSubdomain(name) is { } problem)
        {
            errors.Add(FieldError.Invalid("metadata.name", name, problem));
        }
    }

    private static void ValidateSelector(RolloutSpecResource spec, List<FieldError> errors)
    {
        var selector = spec.Selector;
        if (selector is null)
        {
            errors.Add(FieldError.Required("spec.selector", "set spec.selector.matchLabels to the labels of spec.template.metadata.labels"));
            return;
        }

        var expressions = selector.MatchExpressions ?? [];
        if ((selector.MatchLabels is null || selector.MatchLabels.Count == 0) && expressions.Count == 0)
        {
            errors.Add(FieldError.Invalid("spec.selector", "{}", "empty selector is invalid for deployment"));
            return;
        }

        for (var i = 0; i < expressions.Count; i++)
        {
            var op = expressions[i].OperatorProperty;
            if (op is not ("In" or "NotIn" or "Exists" or "DoesNotExist"))
            {
                errors.Add(FieldError.NotSupported($"spec.selector.matchExpressions[{i}].operator", op ?? "", "In", "NotIn", "Exists", "DoesNotExist"));
                return;
            }
        }

        var labels = spec.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
        if (!Selectors.Matches(selector, labels))
        {
            errors.Add(FieldError.Invalid("spec.template.metadata.labels", labels,
                "`selector` does not match template `labels`; give the template every label the selector asks for"));
        }
    }

    private static void ValidateTemplate(V1PodTemplateSpec? template, List<FieldError> errors)
    {
        var containers = template?.Spec?.Containers;
        if (containers is null || containers.Count == 0)
        {
            errors.Add(FieldError.Required("spec.template.spec.containers", "a pod template needs at least one container"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < containers.Count; i++)
        {
            var field = $"spec.template.spec.containers[{i}]";
            var name = containers[i].Name;
            if (string.IsNullOrEmpty(name))
            {
                errors.Add(FieldError.Required($"{field}.name"));
            }
            else if (Names.CheckLabel(name) is { } problem)
            {
                errors.Add(FieldError.Invalid($"{field}.name", name, problem));
            }
            else if (!seen.Add(name))
            {
                errors.Add(FieldError.Duplicate($"{field}.name", name));
            }

            if (string.IsNullOrEmpty(containers[i].Image) && (containers[i].Command is null || containers[i].Command.Count == 0))
            {
                errors.Add(FieldError.Required($"{field}.image", "give the container an image (or a command to run)"));
            }
        }

        var restartPolicy = template!.Spec!.RestartPolicy;
        if (restartPolicy is not null && restartPolicy != "Always")
        {
            errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", restartPolicy, "Always"));
        }
    }

    /// <summary>Argo's spec fields beside the strategy: what applies to a canary or blue-green update, and restartAt.</summary>
    private static void ValidateArgoSpec(RolloutSpecResource spec, List<FieldError> errors)
    {
        var progressive = spec.Strategy?.Canary is not null || spec.Strategy?.BlueGreen is not null;
        if (spec.RestartAt is { } restartAt && !DateTimeOffset.TryParse(restartAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _))
        {
            errors.Add(FieldError.Invalid("spec.restartAt", restartAt, "must be a time such as 2020-03-30T21:19:35Z"));
        }

        if (spec.ProgressDeadlineAbort == true && !progressive)
        {
            errors.Add(FieldError.Forbidden("spec.progressDeadlineAbort", "applies to a canary or blueGreen strategy, which can be aborted; a RollingUpdate or Recreate rollout stops at the deadline"));
        }

        if (spec.RollbackWindow is { } window)
        {
            if (!progressive)
            {
                errors.Add(FieldError.Forbidden("spec.rollbackWindow", "applies to a canary or blueGreen strategy, whose steps and analysis a rollback may skip"));
            }
            else if (window.Revisions is < 0)
            {
                errors.Add(FieldError.Invalid("spec.rollbackWindow.revisions", window.Revisions.Value, "must be greater than or equal to 0"));
            }
        }

        var limit = spec.Strategy?.Canary?.ScaleDownDelayRevisionLimit ?? spec.Strategy?.BlueGreen?.ScaleDownDelayRevisionLimit;
        var path = spec.Strategy?.Canary is not null ? "spec.strategy.canary" : "spec.strategy.blueGreen";
        if (limit is < 0)
        {
            errors.Add(FieldError.Invalid($"{path}.scaleDownDelayRevisionLimit", limit.Value, "must be greater than or equal to 0"));
        }
        else if (limit is { } revisions && spec.RevisionHistoryLimit is { } history && history < revisions)
        {
            errors.Add(FieldError.Invalid($"{path}.scaleDownDelayRevisionLimit", revisions,
                $"This rollout's revision history limit can not be smaller than the rollout's scale down limit: raise revisionHistoryLimit to at least {revisions}"));
        }

        if (spec.Analysis is { SuccessfulRunHistoryLimit: < 0 } or { UnsuccessfulRunHistoryLimit: < 0 })
        {
            errors.Add(FieldError.Invalid("spec.analysis", "{...}", "run history limits must be greater than or equal to 0"));
        }
    }

    private static void ValidateStrategy(RolloutStrategyResource? strategy, List<FieldError> errors)
    {
        if (strategy?.BlueGreen is not null)
        {
            BlueGreenValidator.Validate(strategy, errors);
            return;
        }

        if (strategy?.Canary is not null)
        {
            CanaryValidator.Validate(strategy, errors);
            return;
        }

        var type = strategy?.Type ?? nameof(StrategyType.RollingUpdate);
        if (type == nameof(StrategyType.Recreate))
        {
            if (strategy?.RollingUpdate is not null)
            {
                errors.Add(FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
            }

            return;
        }

        if (type != nameof(StrategyType.RollingUpdate))
        {
            errors.Add(type == nameof(StrategyType.Canary)
                ? FieldError.Required("spec.strategy.canary", "a Canary strategy needs its steps: spec.strategy.canary.steps")
                : FieldError.NotSupported("spec.strategy.type", type, nameof(StrategyType.Recreate), nameof(StrategyType.RollingUpdate)));
            return;
        }

        var rollingUpdate = strategy?.RollingUpdate;
        var surge = CheckIntOrPercent("spec.strategy.rollingUpdate.maxSurge", rollingUpdate?.MaxSurge?.Value, errors);
        var unavailable = CheckIntOrPercent("spec.strategy.rollingUpdate.maxUnavailable", rollingUpdate?.MaxUnavailable?.Value, errors);
        if (unavailable is { IsPercent: true, Value: > 100 })
        {
            errors.Add(FieldError.Invalid("spec.strategy.rollingUpdate.maxUnavailable", unavailable.Value.ToString(), "must not be greater than 100%"));
        }

        if (surge is { Value: 0 } && unavailable is { Value: 0 })
        {
            errors.Add(FieldError.Invalid("spec.strategy.rollingUpdate.maxUnavailable", ValueOf(unavailable.Value),
                "may not be 0 when maxSurge is 0; allow at least one extra (maxSurge) or one unavailable replica"));
        }
    }

    /// <summary>Checks an int-or-percent; null when it is not set or not valid (the error is recorded).</summary>
    internal static IntOrPercent? CheckIntOrPercent(string field, string? text, List<FieldError> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (!IntOrPercent.TryParse(text, out var value))
        {
            errors.Add(FieldError.Invalid(field, text, PercentMessage));
            return null;
        }

        if (value.Value < 0)
        {
            errors.Add(FieldError.Invalid(field, ValueOf(value), "must be greater than or equal to 0"));
            return null;
        }

        return value;
    }

    private static object ValueOf(IntOrPercent value) => value.IsPercent ? value.ToString() : value.Value;
}
