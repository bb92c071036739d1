using System.Collections.Immutable;
using Fledge.Core.Analysis;

namespace Fledge.Metrics.Tests;

public sealed class MetricProvidersTests
{
    private sealed class Broken : IMetricProvider
    {
        public string Kind => "broken";

        public Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel) =>
            throw new InvalidOperationException("index out of range in the query builder");
    }

    private static AnalysisMetric Metric(string kind) =>
        new("error-rate", new MetricProvider(kind, ImmutableSortedDictionary<string, string>.Empty), null, null, null, null, TimeSpan.Zero);

    [Fact]
    public async Task Measure_ProviderThatThrowsUnexpectedly_IsAnErrorMeasurementNamingIt()
    {
        var providers = new MetricProviders([new Broken()], TimeProvider.System);

        var measurement = await providers.MeasureAsync(Metric("broken"), new MeasureContext(DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);

        measurement.Phase.ShouldBe(AnalysisPhase.Error);
        measurement.Message.ShouldBe("error-rate: the broken provider failed: InvalidOperationException: index out of range in the query builder");
    }

    [Fact]
    public async Task Measure_UnknownProvider_SaysWhichOnesThereAre()
    {
        var providers = new MetricProviders([new Broken()], TimeProvider.System);

        var measurement = await providers.MeasureAsync(Metric("datadog"), new MeasureContext(DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);

        measurement.Phase.ShouldBe(AnalysisPhase.Error);
        measurement.Message.ShouldBe("no \"datadog\" metric provider here; use one of broken");
    }
}
