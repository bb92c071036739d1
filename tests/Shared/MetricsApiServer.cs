using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fledge.Tests;

/// <summary>
/// A test server of the Kubernetes metrics APIs over real HTTP: custom.metrics.k8s.io/v1beta2 object metrics and
/// external.metrics.k8s.io/v1beta1 external metrics, answering MetricValueList / ExternalMetricValueList bodies
/// as a metrics adapter does, and a Status body with 404 for a metric it does not have. Records every request.
/// </summary>
internal sealed class MetricsApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Namespace, string Metric, Dictionary<string, string> Labels, string Value)> _external = new(StringComparer.Ordinal);
    private int _disposed;

    private MetricsApiServer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    /// <summary>When set, every request must carry "Authorization: Bearer TOKEN" (else 401 with a Status body).</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Each request as path and query, with its Accept header.</summary>
    public ConcurrentQueue<(string PathAndQuery, string Accept)> Requests { get; } = new();

    public static async Task<MetricsApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var server = new MetricsApiServer(builder.Build());
        server.Map();
        await server._app.StartAsync();
        server.Address = new Uri(server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public void SetObject(string ns, string resource, string name, string metric, string quantity) => _objects[$"{ns}/{resource}/{name}/{metric}"] = quantity;

    /// <summary>Adds a series of an external metric, or changes the value of the series with these labels.</summary>
    public void AddExternal(string ns, string metric, Dictionary<string, string> labels, string quantity) =>
        _external[$"{ns}/{metric}/{string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))}"] = (ns, metric, labels, quantity);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map()
    {
        _app.Use(async (context, next) =>
        {
            Requests.Enqueue((context.Request.Path + context.Request.QueryString, context.Request.Headers.Accept.ToString()));
            if (RequiredToken is { } token && context.Request.Headers.Authorization.ToString() != $"Bearer {token}")
            {
                await Results.Json(
                    new { kind = "Status", apiVersion = "v1", metadata = new { }, status = "Failure", message = "Unauthorized", reason = "Unauthorized", code = 401 },
                    statusCode: 401).ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        _app.MapGet("/apis/custom.metrics.k8s.io/v1beta2/namespaces/{ns}/{resource}/{name}/{metric}", (string ns, string resource, string name, string metric) =>
        {
            if (!_objects.TryGetValue($"{ns}/{resource}/{name}/{metric}", out var value))
            {
                return NotFound($"the server could not find the metric {metric} for {resource} {name}");
            }

            var kind = resource == "services" ? "Service" : resource;
            return Results.Json(new
            {
                kind = "MetricValueList",
                apiVersion = "custom.metrics.k8s.io/v1beta2",
                metadata = new { },
                items = new[]
                {
                    new
                    {
                        describedObject = new { kind, @namespace = ns, name, apiVersion = "/v1" },
                        metric = new { name = metric, selector = (object?)null },
                        timestamp = "2026-11-23T00:00:00Z",
                        windowSeconds = 60,
                        value,
                    },
                },
            });
        });
        _app.MapGet("/apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}", (string ns, string metric, string? labelSelector) =>
        {
            var wanted = (labelSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
            var items = _external.Values
                .Where(e => e.Namespace == ns && e.Metric == metric && wanted.All(w => e.Labels.TryGetValue(w.Key, out var v) && v == w.Value))
                .Select(e => new { metricName = metric, metricLabels = e.Labels, timestamp = "2026-11-23T00:00:00Z", value = e.Value })
                .ToList();
            return items.Count == 0 && !_external.Values.Any(e => e.Metric == metric)
                ? NotFound($"no metric {metric} in namespace {ns}")
                : Results.Json(new { kind = "ExternalMetricValueList", apiVersion = "external.metrics.k8s.io/v1beta1", metadata = new { }, items });
        });
    }

    private static IResult NotFound(string message) => Results.Json(
        new { kind = "Status", apiVersion = "v1", metadata = new { }, status = "Failure", message, reason = "NotFound", code = 404 },
        statusCode: 404);

    public static string Quantity(double value) => value.ToString(CultureInfo.InvariantCulture);
}
