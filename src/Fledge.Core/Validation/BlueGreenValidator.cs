using Fledge.Core.Manifests;

namespace Fledge.Core.Validation;

/// <summary>Validates spec.strategy.blueGreen with Argo Rollouts' rules.</summary>
internal static class BlueGreenValidator
{
    private const string Path = "spec.strategy.blueGreen";

    public static void Validate(RolloutStrategyResource strategy, List<FieldError> errors)
    {
        var blueGreen = strategy.BlueGreen!;
        if (strategy.Type is not null || strategy.RollingUpdate is not null || strategy.Canary is not null)
        {
            errors.Add(FieldError.Forbidden("spec.strategy", "blueGreen may not be combined with type, rollingUpdate or canary; keep one strategy"));
        }

        if (string.IsNullOrEmpty(blueGreen.ActiveService))
        {
            errors.Add(FieldError.Required($"{Path}.activeService", "name the Service users call; it switches to the new revision at promotion"));
        }
        else if (blueGreen.ActiveService == blueGreen.PreviewService)
        {
            errors.Add(FieldError.Invalid($"{Path}.previewService", blueGreen.PreviewService, "must differ from activeService"));
        }

        foreach (var (field, value) in new[]
        {
            ("autoPromotionSeconds", blueGreen.AutoPromotionSeconds), ("scaleDownDelaySeconds", blueGreen.ScaleDownDelaySeconds),
            ("abortScaleDownDelaySeconds", blueGreen.AbortScaleDownDelaySeconds),
        })
        {
            if (value is < 0)
            {
                errors.Add(FieldError.Invalid($"{Path}.{field}", value.Value, "must be greater than or equal to 0"));
            }
        }

        if (blueGreen.PreviewReplicaCount is < 1)
        {
            errors.Add(FieldError.Invalid($"{Path}.previewReplicaCount", blueGreen.PreviewReplicaCount.Value, "must be at least 1"));
        }

        if (blueGreen.AutoPromotionEnabled == false && blueGreen.AutoPromotionSeconds is not null)
        {
            errors.Add(FieldError.Forbidden($"{Path}.autoPromotionSeconds", "may not be set when autoPromotionEnabled is false"));
        }

        foreach (var (field, analysis) in new[] { ("prePromotionAnalysis", blueGreen.PrePromotionAnalysis), ("postPromotionAnalysis", blueGreen.PostPromotionAnalysis) })
        {
            if (analysis is not null && (analysis.Templates is not { Count: > 0 } templates || templates.Any(t => string.IsNullOrEmpty(t.TemplateName))))
            {
                errors.Add(FieldError.Required($"{Path}.{field}.templates", "name the AnalysisTemplates to run: templates: [{templateName: NAME}]"));
            }
            else if (analysis is not null)
            {
                CanaryValidator.ValidateAnalysis(analysis, $"{Path}.{field}", errors);
            }
        }
    }
}
