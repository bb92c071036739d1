using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Fledge.Local.Services;

/// <summary>
/// One Service port: a YARP forwarder listening on 127.0.0.1:port that sends each request to one of the
/// ready endpoints, in turn. Endpoints are swapped atomically, so requests in flight finish where they
/// started. A request that could not reach a replica before any response began (a replica that stopped a
/// moment ago) is sent to another one when it carries no body, so a rollout drops no request. A canary's header
/// routes send the requests they match to the canary; its mirror routes send a copy of the ones they match to the
/// canary beside the user's request, whose answer is the stable one's and never waits for the copy.
/// </summary>
internal sealed class ServiceProxy : IAsyncDisposable
{
    private const int MaxAttempts = 3;

    /// <summary>Mirrored copies in flight at most; more are dropped (and counted), never queued behind users' requests.</summary>
    private const int MaxMirrorsInFlight = 256;

    /// <summary>A body up to this size is copied for a mirror; a larger or streamed one is not mirrored.</summary>
    private const int MaxMirroredBody = 64 * 1024;

    private static readonly TimeSpan MirrorTimeout = TimeSpan.FromSeconds(10);

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    private readonly string _service;
    private readonly RequestMetrics _metrics;
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _client;
    private readonly IHttpForwarder _forwarder;
    private Routing _routing = new([], [], 0, ActiveRoutes.None);
    private int _next;
    private int _split;
    private int _mirrorSplit;
    private int _mirrorsInFlight;

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
    /// Sets where requests go: <paramref name="canaryWeight"/> percent of them to the canary endpoints (exactly,
    /// spread evenly), the rest to the primary ones; an empty group sends its share
    /// to the other.
    /// </summary>
    public void SetEndpoints(IEnumerable<ServiceEndpoint> primary, IEnumerable<ServiceEndpoint>? canary = null, int canaryWeight = 0, ActiveRoutes? routes = null) =>
        Volatile.Write(ref _routing, new Routing(primary.ToArray(), canary?.ToArray() ?? [], canaryWeight, routes ?? ActiveRoutes.None));

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
        var first = Volatile.Read(ref _routing);
        if (first.Canary.Length > 0 && !first.Routes.Mirrors.IsEmpty && !HeaderRouted(first, context.Request))
        {
            await MirrorAsync(context, first);
        }

        for (var attempt = 1; ; attempt++)
        {
            var routing = Volatile.Read(ref _routing);
            var toCanary = routing.Canary.Length > 0
                && (routing.Primary.Length == 0 || HeaderRouted(routing, context.Request)
                    || Spread(ref _split, routing.Weight));
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

    /// <summary>
    /// Whether the next request is one of <paramref name="percent"/> in a hundred: the n-th is when n × percent / 100 passes a
    /// whole number, so the share is exact at every count (25% sends every fourth request, not the first 25 of each 100).
    /// </summary>
    private static bool Spread(ref int counter, int percent)
    {
        var n = (long)(uint)Interlocked.Increment(ref counter);
        return n * percent / 100 != (n - 1) * percent / 100;
    }

    /// <summary>Whether a header route sends the request to the canary: all the headers of one of the routes match.</summary>
    private static bool HeaderRouted(Routing routing, HttpRequest request)
    {
        foreach (var route in routing.Routes.Headers)
        {
            if (route.Match.All(m => HeaderMatches(request, m.HeaderName, m.Value)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(RouteMatch match, HttpRequest request) =>
        (match.Method is null || match.Method.Matches(request.Method))
        && (match.Path is null || match.Path.Matches(request.Path.Value ?? "/"))
        && match.Headers.All(h => HeaderMatches(request, h.Key, h.Value));

    /// <summary>Whether one of the values of the request's header <paramref name="name"/> matches.</summary>
    private static bool HeaderMatches(HttpRequest request, string name, StringMatch match) =>
        request.Headers.TryGetValue(name, out var values) && values.Any(v => match.Matches(v));

    /// <summary>
    /// Sends a copy of the request to a canary endpoint when a mirror route matches it (the first route that does, its
    /// percentage of them, spread evenly). The copy runs on its own: the user's request goes
    /// on at once, and the copy's answer is only counted.
    /// </summary>
    private async Task MirrorAsync(HttpContext context, Routing routing)
    {
        var request = context.Request;
        var route = routing.Routes.Mirrors.FirstOrDefault(m => m.Match.Any(r => Matches(r, request)));
        if (route is null)
        {
            return;
        }

        if (!Spread(ref _mirrorSplit, route.Percentage))
        {
            return;
        }

        var endpoint = routing.Canary[(int)((uint)Interlocked.Increment(ref _next) % (uint)routing.Canary.Length)];
        if (Interlocked.Increment(ref _mirrorsInFlight) > MaxMirrorsInFlight)
        {
            Interlocked.Decrement(ref _mirrorsInFlight);
            _metrics.RecordMirror(_service, endpoint.Revision, -1, TimeSpan.Zero, endpoint.AlsoFor);
            return;
        }

        byte[]? body = null;
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody)
        {
            if (request.ContentLength is not (> 0 and <= MaxMirroredBody))
            {
                Interlocked.Decrement(ref _mirrorsInFlight);
                return;
            }

            // The body is read once and given to both: the user's request reads it again from the buffer
            request.EnableBuffering();
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            request.Body.Position = 0;
            body = buffer.ToArray();
        }

        var copy = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(new Uri(endpoint.Address), request.GetEncodedPathAndQuery()));
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHop.Contains(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!copy.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                copy.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        _ = Task.Run(() => SendMirrorAsync(copy, endpoint));
    }

    private async Task SendMirrorAsync(HttpRequestMessage copy, ServiceEndpoint endpoint)
    {
        var started = Stopwatch.GetTimestamp();
        var status = 0;
        try
        {
            using var timeout = new CancellationTokenSource(MirrorTimeout);
            using var response = await _client.SendAsync(copy, timeout.Token);
            await response.Content.CopyToAsync(Stream.Null, timeout.Token);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            // counted as "error": the canary did not answer the copy
        }
        finally
        {
            copy.Dispose();
            Interlocked.Decrement(ref _mirrorsInFlight);
        }

        _metrics.RecordMirror(_service, endpoint.Revision, status, Stopwatch.GetElapsedTime(started), endpoint.AlsoFor);
    }

    private sealed record Routing(ServiceEndpoint[] Primary, ServiceEndpoint[] Canary, int Weight, ActiveRoutes Routes);
}
