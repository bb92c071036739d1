using Fledge.Core.Analysis;

namespace Fledge.Metrics;

/// <summary>The providers by kind, and one measurement: read the value, then assess it against the metric's conditions.</summary>
public sealed class MetricProviders(IEnumerable<IMetricProvider> providers, TimeProvider time)
{
    /// <summary>
    /// How long one measurement may take: its interval (a measurement should not overlap the next), between 5 and 30
    /// seconds; 30 for a metric measured once. A source that hangs gives an Error measurement, never a wait for ever.
    /// </summary>
    public static TimeSpan TimeoutOf(AnalysisMetric metric) =>
        metric.Interval is { } interval ? TimeSpan.FromSeconds(Math.Clamp(interval.TotalSeconds, 5, 30)) : TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, IMetricProvider> _byKind = providers.ToDictionary(p => p.Kind, StringComparer.Ordinal);

    public async Task<Measurement> MeasureAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel)
    {
        var started = time.GetUtcNow();
        if (!_byKind.TryGetValue(metric.Provider.Kind, out var provider))
        {
            return Measurement.Error(started, $"no \"{metric.Provider.Kind}\" metric provider here; use one of {string.Join(", ", _byKind.Keys)}");
        }

        var limit = TimeoutOf(metric);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(limit);
        try
        {
            var value = await provider.ReadAsync(metric, context, timeout.Token);
            var measurement = MeasurementAssessor.Assess(metric, value, started, time.GetUtcNow());

            // A judge's result is five numbers; say what they mean.
            return provider.Kind == "judge" && measurement.Phase != AnalysisPhase.Error
                ? measurement with { Message = $"{measurement.Message}: {CanaryJudge.Describe(value)}" }
                : measurement;
        }
        catch (MetricProviderException e)
        {
            return Measurement.Error(started, $"{metric.Name}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return Measurement.Error(started, $"{metric.Name}: the {metric.Provider.Kind} provider did not answer within {limit.TotalSeconds:0}s");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            // A provider's own bug must not stop every analysis: it is an Error measurement, which never promotes.
            return Measurement.Error(started, $"{metric.Name}: the {metric.Provider.Kind} provider failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
