using Fledge.Core.Analysis;

namespace Fledge.Metrics;

/// <summary>The providers by kind, and one measurement: read the value, then assess it against the metric's conditions.</summary>
public sealed class MetricProviders(IEnumerable<IMetricProvider> providers, TimeProvider time)
{
    private readonly Dictionary<string, IMetricProvider> _byKind = providers.ToDictionary(p => p.Kind, StringComparer.Ordinal);

    public async Task<Measurement> MeasureAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel)
    {
        var started = time.GetUtcNow();
        if (!_byKind.TryGetValue(metric.Provider.Kind, out var provider))
        {
            return Measurement.Error(started, $"no \"{metric.Provider.Kind}\" metric provider here; use one of {string.Join(", ", _byKind.Keys)}");
        }

        try
        {
            var value = await provider.ReadAsync(metric, context, cancel);
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
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            // A provider's own bug must not stop every analysis: it is an Error measurement, which never promotes.
            return Measurement.Error(started, $"{metric.Name}: the {metric.Provider.Kind} provider failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
