using System.Net;
using Fledge.Local.Api;
using Fledge.Local.Images;
using Fledge.Local.Platform;
using Fledge.Local.Replicas;
using Fledge.Local.Services;
using Fledge.Local.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Fledge.Local;

/// <summary>
/// The single-host runtime: replicas as processes, Services as loopback proxies, state in SQLite, a control
/// API on a unix socket and request metrics on a loopback /metrics. Start it, and dispose it to stop every
/// replica gracefully.
/// </summary>
public sealed class LocalRuntime : IAsyncDisposable
{
    private readonly DataDirectory _directory;
    private readonly StateStore _store;
    private readonly Supervisor _supervisor;
    private readonly ServiceManager _services;
    private readonly RolloutController _controller;
    private readonly Analysis.AnalysisRunner _analysis;
    private readonly HttpClient _http = new();
    private readonly ILogger _logger;
    private readonly ImageTableFile _images;
    private readonly CancellationTokenSource _stop = new();
    private Task? _watchImages;
    private WebApplication? _api;
    private WebApplication? _metrics;

    private LocalRuntime(DataDirectory directory, StateStore store, RuntimeOptions options, ILogger logger)
    {
        _logger = logger;
        _directory = directory;
        _store = store;
        _images = new ImageTableFile(options.ImagesFile ?? directory.Images, options.BuiltInImages, logger);
        var time = TimeProvider.System;
        Metrics = new RequestMetrics(Prometheus.Metrics.NewCustomRegistry(), new RequestWindows(time));
        _supervisor = new Supervisor(directory, store, _images, time, logger);
        var platform = new LocalPlatform(store, _supervisor);
        _services = new ServiceManager(store, Metrics, logger);
        _controller = new RolloutController(platform, time, logger);
        _supervisor.Changed += view =>
        {
            _services.Refresh(_supervisor.Replicas());
            _controller.Enqueue(view.Rollout);
        };
        platform.RoutesChanged += routes => _services.Refresh(_supervisor.Replicas(), routes);
        platform.TrackChanged += _controller.Enqueue;
        var fledgeMetrics = new Analysis.FledgeMetricProvider(Metrics.Windows);
        var providers = new Fledge.Metrics.MetricProviders(
            [fledgeMetrics, new Analysis.JudgeProvider(Metrics.Windows), new Fledge.Metrics.Prometheus.PrometheusProvider(_http), new Fledge.Metrics.Web.WebProvider(_http),
                new Fledge.Metrics.Kubernetes.KubernetesMetricProvider(_http, options.MetricsApi, options.MetricsApiToken)], time);
        var trackMetrics = new Analysis.TrackMetricReader(fledgeMetrics,
            options.MetricsApi is { } api ? new Fledge.Metrics.Kubernetes.KubernetesMetricsClient(_http, api, options.MetricsApiToken) : null);
        _analysis = new Analysis.AnalysisRunner(platform, providers, trackMetrics, _controller, time, logger);
        Commands = new RuntimeCommands(platform, _supervisor, _services, _controller, store, providers, time, options.MaxReplicas);
        Platform = platform;
    }

    public string DataDirectory => _directory.Path;

    public string Socket => _directory.Socket;

    /// <summary>Where /metrics is served.</summary>
    public Uri? MetricsUrl { get; private set; }

    /// <summary>How many replica processes a previous runtime had left running and this one ended.</summary>
    public int LeftoversEnded { get; private set; }

    public RequestMetrics Metrics { get; }

    internal RuntimeCommands Commands { get; }

    internal LocalPlatform Platform { get; }

    /// <summary>Opens the data directory (refusing one another runtime holds) and starts everything.</summary>
    public static async Task<LocalRuntime> StartAsync(RuntimeOptions options, ILogger logger)
    {
        var directory = Store.DataDirectory.Open(options.DataDirectory);
        StateStore? store = null;
        try
        {
            StateStore.Check(directory);
            store = new StateStore(directory.Database);
            var leftovers = await Leftovers.EndAsync(store, directory, logger);
            var runtime = new LocalRuntime(directory, store, options, logger) { LeftoversEnded = leftovers };
            await runtime.StartCoreAsync(options);
            return runtime;
        }
        catch
        {
            store?.Dispose();
            directory.Dispose();
            throw;
        }
    }

    private async Task StartCoreAsync(RuntimeOptions options)
    {
        await _services.ResumeAsync();
        _services.Refresh([], Platform.Routes());
        Platform.Resume();
        _controller.Start();
        _analysis.Start();
        _watchImages = Task.Run(WatchImagesAsync);
        _api = await ControlApi.StartAsync(Commands, _directory, _logger);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.MetricsPort));
        _metrics = builder.Build();
        _metrics.UseMetricServer("/metrics", Metrics.Registry);
        await _metrics.StartAsync();
        var address = _metrics.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        MetricsUrl = new Uri(new Uri(address), "/metrics");
    }

    /// <summary>Looks at the image table file every second; when it changed, replicas that could not start try again at once.</summary>
    private async Task WatchImagesAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                if (_images.Refresh())
                {
                    _supervisor.RetryFailed();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Stops the API, then every replica gracefully (out of the Services first), then the Services.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_stop)
        {
            // Once: a second call (an interrupted demo, then its `await using`) waits for the same stop.
            _disposing ??= StopAsync();
        }

        return new ValueTask(_disposing);
    }

    private Task? _disposing;

    private async Task StopAsync()
    {
        if (_api is not null)
        {
            await _api.StopAsync();
            await _api.DisposeAsync();
        }

        await _stop.CancelAsync();
        if (_watchImages is not null)
        {
            await _watchImages;
        }

        await _analysis.DisposeAsync();
        await _controller.DisposeAsync();
        await _supervisor.StopAllAsync();
        await _services.DisposeAsync();
        if (_metrics is not null)
        {
            await _metrics.StopAsync();
            await _metrics.DisposeAsync();
        }

        if (File.Exists(_directory.Socket))
        {
            File.Delete(_directory.Socket);
        }

        _http.Dispose();
        _stop.Dispose();
        _store.Dispose();
        _directory.Dispose();
    }
}
