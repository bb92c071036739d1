using System.Globalization;
using Fledge.Core;
using Fledge.Core.Analysis;
using Fledge.Local.Services;
using Fledge.Metrics;

namespace Fledge.Local.Analysis;

/// <summary>
/// The runtime's own request metrics (provider key <c>fledge</c>). Settings: <c>service</c>, <c>metric</c> as
/// NAME:WINDOW (window default 1m, at most 10m), optional <c>revision</c>. Names: request_failure_rate and
/// request_success_rate (0 to 1; failures are 5xx answers and requests no replica answered), request_rate
/// (per second), request_count, request_latency_p50 / _p90 / _p99 (seconds). Kanarini-style manifests that
/// ask for request_failure_rate:1m of "foo-canary" work as written.
/// </summary>
internal sealed class FledgeMetricProvider(RequestWindows windows) : IMetricProvider
{
    public string Kind => "fledge";

    public Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel) =>
        Task.FromResult(Read(metric.Provider.Setting("service"), metric.Provider.Setting("metric"),
            metric.Provider.Setting("revision") is { Length: > 0 } revision ? revision : null, context.Since));

    /// <summary>One value of a named metric for a Service, as the Kanarini and Object metrics name it.</summary>
    public IReadOnlyList<double> Read(string service, string metric, string? revision, DateTimeOffset? since = null)
    {
        if (service.Length == 0)
        {
            throw new MetricProviderException("the fledge provider needs service: the Service whose requests to measure");
        }

        var (name, window) = RequestMetricName.Parse(metric);

        // Requests from before the analysis began (an earlier, aborted canary's) do not count.
        var stats = windows.Query(service, revision, window, since);
        double Rate(long part) => stats.Requests == 0
            ? throw new MetricProviderException($"no requests reached Service \"{service}\" in the last {Durations.Format(window)}; nothing to judge yet")
            : (double)part / stats.Requests;
        double Latency(double? value) => value ?? throw new MetricProviderException($"no requests reached Service \"{service}\" in the last {Durations.Format(window)}");
        return name switch
        {
            "request_failure_rate" => [Rate(stats.Failed)],
            "request_success_rate" => [Rate(stats.Requests - stats.Failed)],
            "request_rate" => [stats.Requests / window.TotalSeconds],
            "request_count" => [stats.Requests],
            "request_latency_p50" => [Latency(stats.LatencyP50)],
            "request_latency_p90" => [Latency(stats.LatencyP90)],
            "request_latency_p99" => [Latency(stats.LatencyP99)],
            _ => throw new MetricProviderException(string.Create(CultureInfo.InvariantCulture,
                $"unknown metric \"{name}\"; use request_failure_rate, request_success_rate, request_rate, request_count, request_latency_p50, request_latency_p90 or request_latency_p99")),
        };
    }
}
