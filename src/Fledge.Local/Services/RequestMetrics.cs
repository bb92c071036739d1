using System.Collections.Concurrent;
using Prometheus;

namespace Fledge.Local.Services;

/// <summary>
/// Requests through each Service, by the revision that answered: counts by status class and latency.
/// Served in Prometheus text format at the runtime's /metrics endpoint.
/// </summary>
public sealed class RequestMetrics
{
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _mirrored;

    // Label lookups allocate; a Service sees few (revision, status class) pairs, so their children are kept.
    private readonly ConcurrentDictionary<(string Service, string Revision, int Class), (Counter.Child Requests, Histogram.Child Duration)> _children = new();

    public RequestMetrics(CollectorRegistry registry, RequestWindows windows)
    {
        Registry = registry;
        Windows = windows;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _requests = factory.CreateCounter("fledge_service_requests_total",
            "Requests through a Service, by the revision that answered and the status class (2xx, 5xx; \"error\" when no replica answered).",
            new CounterConfiguration { LabelNames = ["service", "revision", "code"] });
        _duration = factory.CreateHistogram("fledge_service_request_duration_seconds",
            "Time from a request reaching the Service to its response, by the revision that answered.",
            new HistogramConfiguration
            {
                LabelNames = ["service", "revision"],
                Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
        _mirrored = factory.CreateCounter("fledge_service_mirrored_requests_total",
            "Copies of requests a Service's mirror route sent to the canary, by the revision that answered and the status class (\"error\" when none answered, \"dropped\" when too many were in flight); their answers are discarded.",
            new CounterConfiguration { LabelNames = ["service", "revision", "code"] });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>The same requests over the last ten minutes, for the built-in analysis provider.</summary>
    public RequestWindows Windows { get; }

    /// <summary>
    /// A mirrored copy's answer: counted apart from the users' requests of <paramref name="service"/>, and in the built-in
    /// analysis windows of the Services that reach the canary (so the canary Service's failure rate sees its shadow traffic).
    /// </summary>
    public void RecordMirror(string service, string revision, int statusCode, TimeSpan elapsed, IReadOnlyList<string> alsoFor)
    {
        var statusClass = statusCode is >= 100 and < 600 ? statusCode / 100 : 0;
        _mirrored.WithLabels(service, revision, statusCode < 0 ? "dropped" : statusClass == 0 ? "error" : $"{statusClass}xx").Inc();
        if (statusCode < 0)
        {
            return;
        }

        foreach (var other in alsoFor)
        {
            Windows.Record(other, revision, statusClass is 0 or 5, elapsed);
        }
    }

    public void Record(string service, string revision, int statusCode, TimeSpan elapsed, IReadOnlyList<string>? alsoFor = null)
    {
        var statusClass = statusCode is >= 100 and < 600 ? statusCode / 100 : 0;
        var children = _children.GetOrAdd((service, revision, statusClass), static (key, metrics) =>
            (metrics._requests.WithLabels(key.Service, key.Revision, key.Class == 0 ? "error" : $"{key.Class}xx"),
             metrics._duration.WithLabels(key.Service, key.Revision)), this);
        children.Requests.Inc();
        children.Duration.Observe(elapsed.TotalSeconds);
        Windows.Record(service, revision, statusClass is 0 or 5, elapsed);
        foreach (var other in alsoFor ?? [])
        {
            Windows.Record(other, revision, statusClass is 0 or 5, elapsed);
        }
    }
}
