using System.Collections.Immutable;

namespace Fledge.Core.Analysis;

/// <summary>
/// Decides a measurement's phase from its value, as Argo Rollouts does: with both conditions, a met
/// failure condition fails it, a met success condition passes it, and neither is Inconclusive; with one
/// condition, not meeting it is the opposite outcome. A condition that cannot be evaluated is an Error.
/// </summary>
public static class MeasurementAssessor
{
    public static Measurement Assess(AnalysisMetric metric, IReadOnlyList<double> value, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        var result = value.ToImmutableArray();
        try
        {
            var failed = metric.FailureCondition?.Evaluate(value);
            var succeeded = metric.SuccessCondition?.Evaluate(value);
            var phase = (failed, succeeded) switch
            {
                (true, _) => AnalysisPhase.Failed,
                (_, true) => AnalysisPhase.Successful,
                (false, false) => AnalysisPhase.Inconclusive,
                (null, false) => AnalysisPhase.Failed,
                (false, null) => AnalysisPhase.Successful,
                // A job without conditions is judged by how it ended (1 succeeded, 0 failed), as Argo judges a Job
                (null, null) when metric.Provider.Kind == "job" => value is [1] ? AnalysisPhase.Successful : AnalysisPhase.Failed,
                (null, null) => AnalysisPhase.Successful,
            };
            return new Measurement(phase, result, startedAt, finishedAt, Describe(metric, phase, result));
        }
        catch (InvalidOperationException e)
        {
            return new Measurement(AnalysisPhase.Error, result, startedAt, finishedAt, $"cannot evaluate the conditions of \"{metric.Name}\": {e.Message}");
        }
    }

    private static string Describe(AnalysisMetric metric, AnalysisPhase phase, ImmutableArray<double> value)
    {
        var shown = new Measurement(phase, value, default, default, "").ValueText;
        return phase switch
        {
            _ when metric.Provider.Kind == "job" && metric.SuccessCondition is null && metric.FailureCondition is null =>
                phase == AnalysisPhase.Successful ? $"{metric.Name}: the job succeeded" : $"{metric.Name}: the job failed (a container exited with an error)",
            AnalysisPhase.Failed when metric.FailureCondition is { } failure => $"{metric.Name} = {shown} meets the failure condition \"{failure.Text}\"",
            AnalysisPhase.Failed => $"{metric.Name} = {shown} does not meet the success condition \"{metric.SuccessCondition!.Text}\"",
            AnalysisPhase.Inconclusive => $"{metric.Name} = {shown} meets neither \"{metric.SuccessCondition!.Text}\" nor \"{metric.FailureCondition!.Text}\"",
            _ => $"{metric.Name} = {shown}",
        };
    }
}
