using System.Globalization;
using Fledge.Core.Analysis;
using Fledge.Local.Services;
using Fledge.Metrics;

namespace Fledge.Local.Analysis;

/// <summary>
/// Provider <c>judge</c>: compares the canary with the stable revision on one of the runtime's request metrics,
/// second by second over the same window, with a one-sided Mann-Whitney U test (<see cref="CanaryJudge"/>).
/// Settings: <c>service</c> (a Service both revisions serve, usually the stable one), <c>metric</c> as NAME:WINDOW
/// (request_failure_rate, request_latency_p50 / _p90 / _p99, request_rate), <c>alpha</c> (default 0.05) and
/// <c>minSamples</c> (seconds with requests each revision needs; default 10) and <c>allowedIncrease</c> (the ratio of
/// the canary's median to stable's a significant difference must pass to count; default 1). Result:
/// [worse, p-value, effect size, canary median, stable median].
/// </summary>
internal sealed class JudgeProvider(RequestWindows windows) : IMetricProvider
{
    public string Kind => "judge";

    public Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel)
    {
        var settings = metric.Provider;
        var service = settings.Setting("service");
        if (service.Length == 0)
        {
            throw new MetricProviderException("the judge needs service: a Service both revisions serve (usually the stable Service)");
        }

        if (context.CanaryRevision is not { } canary || context.StableRevision is not { } stable || canary == stable)
        {
            throw new MetricProviderException("the judge compares a canary with its stable revision; use it in a canary's analysis while a canary runs");
        }

        var (name, window) = RequestMetricName.Parse(settings.Setting("metric"));
        Func<RequestStats, double> value = name switch
        {
            "request_failure_rate" => s => (double)s.Failed / s.Requests,
            "request_latency_p50" => s => s.LatencyP50 ?? 0,
            "request_latency_p90" => s => s.LatencyP90 ?? 0,
            "request_latency_p99" => s => s.LatencyP99 ?? 0,
            "request_rate" => s => s.Requests,
            _ => throw new MetricProviderException(
                $"the judge compares request_failure_rate, request_latency_p50, request_latency_p90, request_latency_p99 or request_rate, not \"{name}\""),
        };
        var alpha = Number(settings.Setting("alpha"), 0.05, "alpha");
        var minSamples = (int)Number(settings.Setting("minSamples"), 10, "minSamples");
        var allowedIncrease = Number(settings.Setting("allowedIncrease"), 1, "allowedIncrease");
        if (allowedIncrease < 1)
        {
            throw new MetricProviderException($"allowedIncrease: \"{settings.Setting("allowedIncrease")}\" must be 1 or more (1 judges every significant increase)");
        }

        var canarySamples = windows.PerSecond(service, canary, window, context.Since).Select(value).ToList();
        var stableSamples = windows.PerSecond(service, stable, window, context.Since).Select(value).ToList();
        try
        {
            return Task.FromResult(CanaryJudge.Judge(canarySamples, stableSamples, alpha, minSamples, allowedIncrease));
        }
        catch (ArgumentException e)
        {
            throw new MetricProviderException(e.Message, e);
        }
    }

    private static double Number(string text, double fallback, string setting) =>
        text.Length == 0 ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number
        : throw new MetricProviderException($"{setting}: \"{text}\" is not a number");
}
