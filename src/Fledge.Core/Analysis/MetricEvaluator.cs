namespace Fledge.Core.Analysis;

/// <summary>A metric's outcome so far, with the measurement that decided it.</summary>
public sealed record MetricResult(string Metric, AnalysisPhase Phase, int Successful, int Failed, int Inconclusive, int Errors, string Message);

/// <summary>
/// Turns a metric's measurements into its phase. Failed when failures exceed failureLimit, Inconclusive
/// when inconclusive measurements exceed inconclusiveLimit, Error when consecutive errors exceed
/// consecutiveErrorLimit, Successful when enough measurements were taken, otherwise Running. Errors never
/// count as success: a provider that cannot be reached can never promote a rollout.
/// </summary>
public static class MetricEvaluator
{
    public static MetricResult Evaluate(AnalysisMetric metric, IReadOnlyList<Measurement> measurements) =>
        Evaluate(metric, new Rollouts.MetricMeasurements(metric.Name, [.. measurements]));

    public static MetricResult Evaluate(AnalysisMetric metric, Rollouts.MetricMeasurements measurements)
    {
        var counted = measurements.Counted();
        var (successful, failed, inconclusive, errors, consecutiveErrors) =
            (counted.Successful, counted.Failed, counted.Inconclusive, counted.Errors, counted.ConsecutiveErrors);
        var last = counted.Last?.Message ?? "";

        var phase = failed > metric.FailureLimit ? AnalysisPhase.Failed
            : inconclusive > metric.InconclusiveLimit ? AnalysisPhase.Inconclusive
            : consecutiveErrors > metric.ConsecutiveErrorLimit ? AnalysisPhase.Error
            : metric.ConsecutiveSuccessLimit is { } inARow && counted.ConsecutiveSuccesses >= inARow ? AnalysisPhase.Successful
            : metric.ConsecutiveSuccessLimit is not null && metric.MeasurementsNeeded is { } most && successful + failed + inconclusive >= most
                // All measurements taken without the successes in a row: a person decides
                ? AnalysisPhase.Inconclusive
            : metric.MeasurementsNeeded is { } needed && successful + failed + inconclusive >= needed
                // Enough measurements: successful only if at least one passed; errors never count.
                ? successful > 0 ? AnalysisPhase.Successful : AnalysisPhase.Inconclusive
            : AnalysisPhase.Running;
        var message = phase switch
        {
            AnalysisPhase.Failed => $"{last} ({failed} failed measurement(s), failureLimit {metric.FailureLimit})",
            AnalysisPhase.Inconclusive when metric.ConsecutiveSuccessLimit is { } limit && inconclusive <= metric.InconclusiveLimit =>
                $"{last} ({counted.ConsecutiveSuccesses} successful measurement(s) in a row at the end, consecutiveSuccessLimit {limit})",
            AnalysisPhase.Inconclusive => $"{last} ({inconclusive} inconclusive measurement(s), inconclusiveLimit {metric.InconclusiveLimit})",
            AnalysisPhase.Error => $"{metric.Name}: {consecutiveErrors} consecutive errors (consecutiveErrorLimit {metric.ConsecutiveErrorLimit}): {last}",
            _ => last,
        };
        return new MetricResult(metric.Name, phase, successful, failed, inconclusive, errors, message);
    }

    /// <summary>The analysis as a whole: any Failed fails it, then Error, then Inconclusive; Successful only when every metric is.</summary>
    public static AnalysisPhase Overall(IEnumerable<MetricResult> results)
    {
        var phases = results.Select(r => r.Phase).ToList();
        return phases.Contains(AnalysisPhase.Failed) ? AnalysisPhase.Failed
            : phases.Contains(AnalysisPhase.Error) ? AnalysisPhase.Error
            : phases.Contains(AnalysisPhase.Inconclusive) ? AnalysisPhase.Inconclusive
            : phases.Count > 0 && phases.All(p => p == AnalysisPhase.Successful) ? AnalysisPhase.Successful
            : AnalysisPhase.Running;
    }

    /// <summary>When the metric should be measured next: after its initial delay, then every interval; null when no more are needed.</summary>
    public static DateTimeOffset? NextMeasurement(AnalysisMetric metric, IReadOnlyList<Measurement> measurements, DateTimeOffset startedAt) =>
        NextMeasurement(metric, new Rollouts.MetricMeasurements(metric.Name, [.. measurements]), startedAt);

    public static DateTimeOffset? NextMeasurement(AnalysisMetric metric, Rollouts.MetricMeasurements measurements, DateTimeOffset startedAt)
    {
        if (Evaluate(metric, measurements).Phase != AnalysisPhase.Running)
        {
            return null;
        }

        return measurements.Last is { } last ? last.FinishedAt + (metric.Interval ?? TimeSpan.Zero) : startedAt + metric.InitialDelay;
    }
}
