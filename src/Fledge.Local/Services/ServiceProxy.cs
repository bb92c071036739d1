using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Fledge.Local.Services;

/// <summary>
/// One Service port: a YARP forwarder listening on 127.0.0.1:port that sends each request to one of the
/// ready endpoints, in turn. Endpoints are swapped atomically, so requests in flight finish where they
/// started. A request that could not reach a replica before any response began (a replica that stopped a
/// moment ago) is sent to another one when it carries no body, so a rollout drops no request.
/// </summary>
internal sealed class ServiceProxy : IAsyncDisposable
{
    private const int MaxAttempts = 3;

    private readonly string _service;
    private readonly RequestMetrics _metrics;
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _client;
    private readonly IHttpForwarder _forwarder;
    private Routing _routing = new([], [], 0);
    private int _next;
    private int _split;

    private ServiceProxy(string service, int port, RequestMetrics metrics)
    {
        _service = service;
        Port = port;
        _metrics = metrics;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddHttpForwarder();
        _app = builder.Build();
        _forwarder = _app.Services.GetRequiredService<IHttpForwarder>();
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(15),
            ActivityHeadersPropagator = null,
        });
        _app.Run(HandleAsync);
    }

    public int Port { get; }

    public IReadOnlyList<ServiceEndpoint> Endpoints => [.. Volatile.Read(ref _routing).Primary, .. Volatile.Read(ref _routing).Canary];

    /// <summary>Starts listening; throws <see cref="IOException"/> when the port cannot be bound.</summary>
    public static async Task<ServiceProxy> StartAsync(string service, int port, RequestMetrics metrics)
    {
        var proxy = new ServiceProxy(service, port, metrics);
        try
        {
            await proxy._app.StartAsync();
        }
        catch (IOException)
        {
            await proxy.DisposeAsync();
            throw;
        }

        return proxy;
    }

    /// <summary>
    /// Sets where requests go: <paramref name="canaryWeight"/> percent of them to the canary endpoints (exactly:
    /// the n-th request of every hundred decides), the rest to the primary ones; an empty group sends its share
    /// to the other.
    /// </summary>
    public void SetEndpoints(IEnumerable<ServiceEndpoint> primary, IEnumerable<ServiceEndpoint>? canary = null, int canaryWeight = 0) =>
        Volatile.Write(ref _routing, new Routing(primary.ToArray(), canary?.ToArray() ?? [], canaryWeight));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var retryable = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || HttpMethods.IsOptions(context.Request.Method) || context.Request.ContentLength == 0;
        for (var attempt = 1; ; attempt++)
        {
            var routing = Volatile.Read(ref _routing);
            var toCanary = routing.Canary.Length > 0
                && (routing.Primary.Length == 0 || (uint)Interlocked.Increment(ref _split) % 100 < (uint)routing.Weight);
            var endpoints = toCanary ? routing.Canary : routing.Primary.Length > 0 ? routing.Primary : routing.Canary;
            if (endpoints.Length == 0)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync($"service \"{_service}\" has no ready endpoints\n");
                _metrics.Record(_service, "none", StatusCodes.Status503ServiceUnavailable, Stopwatch.GetElapsedTime(started));
                return;
            }

            var endpoint = endpoints[(int)((uint)Interlocked.Increment(ref _next) % (uint)endpoints.Length)];
            // As a Kubernetes Service (L4) passes requests: headers as the client sent them, Host included, no
            // X-Forwarded-* added. It is also the cheaper transform: 26.5k -> 29.6k-30.1k req/s in bench/proxy.
            var error = await _forwarder.SendAsync(context, endpoint.Address, _client, ForwarderRequestConfig.Empty, HttpTransformer.Empty);
            if (error == ForwarderError.None)
            {
                _metrics.Record(_service, endpoint.Revision, context.Response.StatusCode, Stopwatch.GetElapsedTime(started), endpoint.AlsoFor);
                return;
            }

            if (attempt < MaxAttempts && retryable && !context.Response.HasStarted && error is ForwarderError.Request or ForwarderError.RequestTimedOut)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Features.Set<IForwarderErrorFeature>(null);
                continue;
            }

            _metrics.Record(_service, endpoint.Revision, context.Response.HasStarted ? context.Response.StatusCode : 0, Stopwatch.GetElapsedTime(started), endpoint.AlsoFor);
            return;
        }
    }

    private sealed record Routing(ServiceEndpoint[] Primary, ServiceEndpoint[] Canary, int Weight);
}
