using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Validation;

/// <summary>Validates spec.strategy.canary with Argo Rollouts' rules and Kubernetes-style messages.</summary>
internal static class CanaryValidator
{
    private const string Path = "spec.strategy.canary";

    public static void Validate(RolloutStrategyResource strategy, List<FieldError> errors)
    {
        var canary = strategy.Canary!;
        if (strategy.Type is not null and not nameof(StrategyType.Canary))
        {
            errors.Add(FieldError.Forbidden("spec.strategy.type", "may not be set together with spec.strategy.canary; remove one of them"));
        }

        if (strategy.RollingUpdate is not null)
        {
            errors.Add(FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified with a canary strategy; use spec.strategy.canary.maxSurge and maxUnavailable"));
        }

        if (canary.CanaryService is { } canaryService && canaryService == canary.StableService)
        {
            errors.Add(FieldError.Invalid($"{Path}.canaryService", canaryService, "must differ from stableService"));
        }

        if (canary.TrafficRouting is not null && (canary.StableService is null || canary.CanaryService is null))
        {
            errors.Add(FieldError.Required(canary.StableService is null ? $"{Path}.stableService" : $"{Path}.canaryService",
                "traffic routing splits requests between the stable and the canary Service: name both"));
        }

        var surge = RolloutValidator.CheckIntOrPercent($"{Path}.maxSurge", canary.MaxSurge?.Value, errors);
        var unavailable = RolloutValidator.CheckIntOrPercent($"{Path}.maxUnavailable", canary.MaxUnavailable?.Value, errors);
        if (surge is { Value: 0 } && unavailable is { Value: 0 })
        {
            errors.Add(FieldError.Invalid($"{Path}.maxUnavailable", 0, "may not be 0 when maxSurge is 0"));
        }

        if (canary.AbortScaleDownDelaySeconds is < 0)
        {
            errors.Add(FieldError.Invalid($"{Path}.abortScaleDownDelaySeconds", canary.AbortScaleDownDelaySeconds.Value, "must be greater than or equal to 0"));
        }

        if (canary.ScaleDownDelaySeconds is < 0)
        {
            errors.Add(FieldError.Invalid($"{Path}.scaleDownDelaySeconds", canary.ScaleDownDelaySeconds.Value, "must be greater than or equal to 0"));
        }

        // Argo Rollouts' rules for what needs a traffic router, with its reasons
        if (canary.TrafficRouting is null)
        {
            if (canary.ScaleDownDelaySeconds is { } delay)
            {
                errors.Add(FieldError.Invalid($"{Path}.scaleDownDelaySeconds", delay,
                    "Canary scaleDownDelaySeconds can only be used with traffic routing: without a router the old stable revision goes as the canary grows; remove it, or add trafficRouting"));
            }

            if (canary.DynamicStableScale == true)
            {
                errors.Add(FieldError.Invalid($"{Path}.dynamicStableScale", true,
                    "Canary dynamicStableScale can only be used with traffic routing: without a router the stable revision already shrinks with the canary's weight; remove it, or add trafficRouting"));
            }

            if (canary.MinPodsPerReplicaSet is not null)
            {
                errors.Add(FieldError.Invalid($"{Path}.minPodsPerReplicaSet", canary.MinPodsPerReplicaSet.Value,
                    "Canary minPodsPerReplicaSet can only be used with traffic routing; remove it, or add trafficRouting"));
            }

            var written = canary.Steps ?? [];
            for (var i = 0; i < written.Count; i++)
            {
                if (written[i].SetCanaryScale is not null)
                {
                    errors.Add(FieldError.Invalid($"{Path}.steps[{i}].setCanaryScale", "{...}",
                        "SetCanaryScale requires TrafficRouting to be set: without a router the canary's size is its weight; use setWeight, or add trafficRouting"));
                }
            }
        }
        else if (canary.DynamicStableScale == true && canary.ScaleDownDelaySeconds is not null)
        {
            errors.Add(FieldError.Invalid($"{Path}.dynamicStableScale", true,
                "Canary dynamicStableScale cannot be used with scaleDownDelaySeconds: the stable revision is already scaled down with its traffic; remove one of them"));
        }

        if (canary.TrafficRouting?.MaxTrafficWeight is < 1)
        {
            errors.Add(FieldError.Invalid($"{Path}.trafficRouting.maxTrafficWeight", canary.TrafficRouting.MaxTrafficWeight.Value, "must be greater than or equal to 1"));
        }

        if (canary.MinPodsPerReplicaSet is < 1)
        {
            errors.Add(FieldError.Invalid($"{Path}.minPodsPerReplicaSet", canary.MinPodsPerReplicaSet.Value, "must be greater than or equal to 1"));
        }

        if (canary.Analysis is { } background)
        {
            ValidateAnalysis(background, $"{Path}.analysis", errors);
            if (background.StartingStep is { } start && (start < 0 || start > (canary.Steps?.Count ?? 0)))
            {
                errors.Add(FieldError.Invalid($"{Path}.analysis.startingStep", start, $"must be between 0 and the number of steps ({canary.Steps?.Count ?? 0})"));
            }
        }

        var hooks = canary.Webhooks ?? [];
        for (var i = 0; i < hooks.Count; i++)
        {
            var path = $"{Path}.webhooks[{i}]";
            if (string.IsNullOrEmpty(hooks[i].Name))
            {
                errors.Add(FieldError.Required($"{path}.name"));
            }
            else if (hooks.Take(i).Any(h => h.Name == hooks[i].Name))
            {
                errors.Add(FieldError.Duplicate($"{path}.name", hooks[i].Name));
            }

            if (hooks[i].Type is not { } type || !Webhook.Types.Contains(type))
            {
                errors.Add(hooks[i].Type is null ? FieldError.Required($"{path}.type", $"one of {string.Join(", ", Webhook.Types)}")
                    : FieldError.NotSupported($"{path}.type", hooks[i].Type, Webhook.Types));
            }

            if (!Uri.TryCreate(hooks[i].Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                errors.Add(FieldError.Invalid($"{path}.url", hooks[i].Url ?? "", "must be an absolute http or https URL"));
            }

            if (hooks[i].Timeout is { } timeout && !Durations.TryParse(timeout, out _))
            {
                errors.Add(FieldError.Invalid($"{path}.timeout", timeout, "must be a duration such as 10s or 1m"));
            }

            if (hooks[i].Retries is < 0)
            {
                errors.Add(FieldError.Invalid($"{path}.retries", hooks[i].Retries!.Value, "must be greater than or equal to 0"));
            }
        }

        var steps = canary.Steps ?? [];
        var managed = (canary.TrafficRouting?.ManagedRoutes ?? []).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            ValidateStep(steps[i], $"{Path}.steps[{i}]", canary.TrafficRouting?.MaxTrafficWeight is > 0 and var max ? max : 100, errors);
            ValidateRoute(steps[i], $"{Path}.steps[{i}]", canary.TrafficRouting is not null, managed, errors);
        }

        var routes = canary.TrafficRouting?.ManagedRoutes ?? [];
        for (var i = 0; i < routes.Count; i++)
        {
            if (string.IsNullOrEmpty(routes[i].Name))
            {
                errors.Add(FieldError.Required($"{Path}.trafficRouting.managedRoutes[{i}].name"));
            }
            else if (routes.Take(i).Any(r => r.Name == routes[i].Name))
            {
                errors.Add(FieldError.Duplicate($"{Path}.trafficRouting.managedRoutes[{i}].name", routes[i].Name!));
            }
        }
    }

    /// <summary>setHeaderRoute and setMirrorRoute: behind a router, on a route named in managedRoutes, with valid matches.</summary>
    private static void ValidateRoute(CanaryStepResource step, string path, bool routed, HashSet<string?> managed, List<FieldError> errors)
    {
        var (field, name) = step.SetHeaderRoute is { } header ? ("setHeaderRoute", header.Name) : step.SetMirrorRoute is { } mirror ? ("setMirrorRoute", mirror.Name) : (null, null);
        if (field is null)
        {
            return;
        }

        if (!routed)
        {
            errors.Add(FieldError.Invalid($"{path}.{field}", "{...}",
                $"{(field == "setHeaderRoute" ? "SetHeaderRoute" : "SetMirrorRoute")} requires TrafficRouting: add trafficRouting (with managedRoutes naming the route); Fledge's Service proxy routes by header and mirrors"));
            return;
        }

        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required($"{path}.{field}.name", "name the route, one of trafficRouting.managedRoutes"));
        }
        else if (!managed.Contains(name))
        {
            errors.Add(FieldError.Invalid($"{path}.{field}.name", name,
                "Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes: add {name: " + name + "} there"));
        }

        if (step.SetHeaderRoute is { } headerRoute)
        {
            var matches = headerRoute.Match ?? [];
            for (var i = 0; i < matches.Count; i++)
            {
                if (string.IsNullOrEmpty(matches[i].HeaderName))
                {
                    errors.Add(FieldError.Required($"{path}.setHeaderRoute.match[{i}].headerName"));
                }

                ValidateMatch(matches[i].HeaderValue, $"{path}.setHeaderRoute.match[{i}].headerValue", required: true, errors);
            }
        }

        if (step.SetMirrorRoute is { } mirrorRoute)
        {
            if (mirrorRoute.Percentage is < 0 or > 100)
            {
                errors.Add(FieldError.Invalid($"{path}.setMirrorRoute.percentage", mirrorRoute.Percentage.Value, "must be between 0 and 100"));
            }

            var matches = mirrorRoute.Match ?? [];
            for (var i = 0; i < matches.Count; i++)
            {
                ValidateMatch(matches[i].Method, $"{path}.setMirrorRoute.match[{i}].method", required: false, errors);
                ValidateMatch(matches[i].Path, $"{path}.setMirrorRoute.match[{i}].path", required: false, errors);
                foreach (var (headerName, value) in matches[i].Headers ?? [])
                {
                    ValidateMatch(value, $"{path}.setMirrorRoute.match[{i}].headers.{headerName}", required: true, errors);
                }
            }
        }
    }

    /// <summary>A StringMatch: exactly one of exact, prefix, regex (Argo's wording), and a regex that compiles.</summary>
    private static void ValidateMatch(StringMatchResource? match, string path, bool required, List<FieldError> errors)
    {
        if (match is null)
        {
            if (required)
            {
                errors.Add(FieldError.Required(path, "StringMatch value missed, match value must have one of the following: exact, regex, prefix"));
            }

            return;
        }

        var set = (match.Exact is null ? 0 : 1) + (match.Prefix is null ? 0 : 1) + (match.Regex is null ? 0 : 1);
        if (set != 1)
        {
            errors.Add(FieldError.Invalid(path, set == 0 ? "{}" : "several",
                set == 0 ? "StringMatch value missed, match value must have one of the following: exact, regex, prefix"
                    : "StringMatch match value must have exactly one of the following: exact, regex, prefix"));
            return;
        }

        if (match.Regex is { } regex)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(regex, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(50));
            }
            catch (ArgumentException e)
            {
                errors.Add(FieldError.Invalid($"{path}.regex", regex, $"not a regular expression: {e.Message}"));
            }
        }
    }

    private static void ValidateStep(CanaryStepResource step, string path, int maxWeight, List<FieldError> errors)
    {
        var set = (step.SetWeight is null ? 0 : 1) + (step.Pause is null ? 0 : 1) + (step.SetCanaryScale is null ? 0 : 1) + (step.Analysis is null ? 0 : 1)
            + (step.SetHeaderRoute is null ? 0 : 1) + (step.SetMirrorRoute is null ? 0 : 1) + (step.Experiment is null ? 0 : 1);
        if (set != 1)
        {
            errors.Add(FieldError.Invalid(path, set == 0 ? "{}" : "several",
                "a step sets exactly one of setWeight, pause, setCanaryScale, analysis, experiment, setHeaderRoute or setMirrorRoute"));
            return;
        }

        if (step.Experiment is { } experiment)
        {
            ValidateExperiment(experiment, $"{path}.experiment", errors);
        }

        if (step.Analysis is { } analysis)
        {
            ValidateAnalysis(analysis, $"{path}.analysis", errors);
        }

        if (step.SetWeight is { } weight && (weight < 0 || weight > maxWeight))
        {
            errors.Add(FieldError.Invalid($"{path}.setWeight", weight, maxWeight == 100 ? "must be between 0 and 100" : $"must be between 0 and maxTrafficWeight ({maxWeight})"));
        }

        if (step.Pause?.Duration?.Value is { } duration && !TryParseDuration(duration, out _))
        {
            errors.Add(FieldError.Invalid($"{path}.pause.duration", duration, "must be a number of seconds or a duration such as 30s, 5m or 1h"));
        }

        if (step.SetCanaryScale is { } scale)
        {
            var choices = (scale.Replicas is null ? 0 : 1) + (scale.Weight is null ? 0 : 1) + (scale.MatchTrafficWeight == true ? 1 : 0);
            if (choices != 1)
            {
                errors.Add(FieldError.Invalid($"{path}.setCanaryScale", "{}", "set exactly one of replicas, weight or matchTrafficWeight: true"));
            }
            else if (scale.Replicas is < 0)
            {
                errors.Add(FieldError.Invalid($"{path}.setCanaryScale.replicas", scale.Replicas.Value, "must be greater than or equal to 0"));
            }
            else if (scale.Weight is < 0 or > 100)
            {
                errors.Add(FieldError.Invalid($"{path}.setCanaryScale.weight", scale.Weight!.Value, "must be between 0 and 100"));
            }
        }
    }

    /// <summary>Argo's experiment step: named templates of the stable or canary spec, analyses with templates, a duration that parses.</summary>
    private static void ValidateExperiment(ExperimentStepResource experiment, string path, List<FieldError> errors)
    {
        if (experiment.Duration is { } duration && !TryParseDuration(duration, out _))
        {
            errors.Add(FieldError.Invalid($"{path}.duration", duration, "must be a duration such as 30s, 5m or 1h"));
        }

        var templates = experiment.Templates ?? [];
        if (templates.Count == 0)
        {
            errors.Add(FieldError.Required($"{path}.templates", "name what to run: templates: [{name: baseline, specRef: stable}, {name: canary, specRef: canary}]"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < templates.Count; i++)
        {
            var template = templates[i];
            var at = $"{path}.templates[{i}]";
            if (string.IsNullOrEmpty(template.Name))
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            else if (!names.Add(template.Name))
            {
                errors.Add(FieldError.Duplicate($"{at}.name", template.Name));
            }
            else if (Names.CheckLabel(template.Name) is { } why)
            {
                errors.Add(FieldError.Invalid($"{at}.name", template.Name, why));
            }

            if (template.SpecRef is not (ExperimentTemplate.Stable or ExperimentTemplate.Canary))
            {
                errors.Add(template.SpecRef is null ? FieldError.Required($"{at}.specRef", "specRef: stable or specRef: canary")
                    : FieldError.NotSupported($"{at}.specRef", template.SpecRef, ExperimentTemplate.Stable, ExperimentTemplate.Canary));
            }

            if (template.Replicas is < 0)
            {
                errors.Add(FieldError.Invalid($"{at}.replicas", template.Replicas.Value, "must be greater than or equal to 0"));
            }

            if (template.Weight is not null)
            {
                errors.Add(FieldError.Invalid($"{at}.weight", template.Weight.Value,
                    "Fledge does not route a share of traffic to an experiment's template; its replicas get traffic from the Services that select them (give it labels of its own with metadata.labels and a Service selecting them)"));
            }

            if (template.Service is not null)
            {
                errors.Add(FieldError.Invalid($"{at}.service", "{...}",
                    "Fledge does not create a Service for an experiment's template; give the template labels of its own (metadata.labels and selector.matchLabels) and apply a Service that selects them"));
            }

            var labels = template.Metadata?.Labels;
            if (template.Selector is { } selector && (labels is null || !Selectors.Matches(selector, labels)))
            {
                errors.Add(FieldError.Invalid($"{at}.selector", "{...}", "`selector` does not match template `labels`: write the same labels in metadata.labels"));
            }
            else if (labels is not null && template.Selector is null)
            {
                errors.Add(FieldError.Required($"{at}.selector", "labels of its own need a selector of them too: selector: {matchLabels: {...}}"));
            }
        }

        if (experiment.Analyses is { Count: > 0 } analyses)
        {
            for (var i = 0; i < analyses.Count; i++)
            {
                if (string.IsNullOrEmpty(analyses[i].TemplateName))
                {
                    errors.Add(FieldError.Required($"{path}.analyses[{i}].templateName"));
                }

                if (string.IsNullOrEmpty(analyses[i].Name))
                {
                    errors.Add(FieldError.Required($"{path}.analyses[{i}].name"));
                }

                foreach (var arg in analyses[i].Args ?? [])
                {
                    var other = analyses.Take(i).SelectMany(a => a.Args ?? []).FirstOrDefault(a => a.Name == arg.Name);
                    if (other is not null && (other.Value != arg.Value || other.ValueFrom is not null || arg.ValueFrom is not null))
                    {
                        errors.Add(FieldError.Invalid($"{path}.analyses[{i}].args", arg.Name ?? "",
                            "an argument of this name is given to another analysis of the experiment with another value; Fledge passes one value per name to an experiment's analyses: rename one in its AnalysisTemplate"));
                    }
                }
            }

            var combined = RolloutReader.ExperimentAnalyses(experiment);
            ValidateAnalysis(combined, $"{path}.analyses", errors);
        }
    }

    internal static void ValidateAnalysis(RolloutAnalysisResource analysis, string path, List<FieldError> errors)
    {
        AnalysisTemplateReader.ValidateOptions(analysis.DryRun, analysis.MeasurementRetention, path, errors);
        var args = analysis.Args ?? [];
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].ValueFrom is not { } from)
            {
                continue;
            }

            var field = $"{path}.args[{i}].valueFrom";
            if (from.SecretKeyRef is not null || (from.FieldRef is null) == (from.PodTemplateHashValue is null))
            {
                errors.Add(FieldError.Invalid(field, "{...}",
                    "a rollout's argument takes exactly one of fieldRef: {fieldPath: metadata.labels['KEY']} or podTemplateHashValue: Stable|Latest (a Secret is read by the template's own args)"));
            }
            else if (from.PodTemplateHashValue is { } hash && hash is not ("Stable" or "Latest"))
            {
                errors.Add(FieldError.NotSupported($"{field}.podTemplateHashValue", hash, "Stable", "Latest"));
            }
            else if (from.FieldRef is { } fieldRef && RolloutReader.FieldValue(new k8s.Models.V1ObjectMeta(), fieldRef.FieldPath ?? "") is null)
            {
                errors.Add(FieldError.Invalid($"{field}.fieldRef.fieldPath", fieldRef.FieldPath ?? "",
                    "Analyses arguments must refer to valid object metadata supported by downwardAPI: metadata.name, metadata.namespace, metadata.uid, metadata.labels['KEY'], metadata.annotations['KEY']"));
            }
        }

        var templates = analysis.Templates ?? [];
        if (templates.Count == 0)
        {
            errors.Add(FieldError.Required($"{path}.templates", "name the AnalysisTemplates to run: templates: [{templateName: NAME}]"));
        }

        for (var i = 0; i < templates.Count; i++)
        {
            if (string.IsNullOrEmpty(templates[i].TemplateName))
            {
                errors.Add(FieldError.Required($"{path}.templates[{i}].templateName"));
            }
        }
    }

    /// <summary>A pause duration: plain seconds ("30") or with a unit ("30s", "5m", "1h").</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration) => Durations.TryParse(text, out duration);
}
