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
    private readonly LogLimits _logLimits;
    private Task? _housekeeping;
    private WebApplication? _api;
    private WebApplication? _metrics;

    private LocalRuntime(DataDirectory directory, StateStore store, RuntimeOptions options, ILogger logger)
    {
        _logger = logger;
        _directory = directory;
        _store = store;
        _images = new ImageTableFile(options.ImagesFile ?? directory.Images, options.BuiltInImages, logger);
        _logLimits = options.LogLimits;
        var time = TimeProvider.System;
        Metrics = new RequestMetrics(Prometheus.Metrics.NewCustomRegistry(), new RequestWindows(time));
        _supervisor = new Supervisor(directory, store, _images, time, logger);
        var platform = new LocalPlatform(store, _supervisor) { Notifier = new Fledge.Metrics.Web.WebhookNotifier(_http) };
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
                new Fledge.Metrics.Kubernetes.KubernetesMetricProvider(_http, options.MetricsApi, options.MetricsApiToken), new Analysis.JobProvider(_directory.Path),
                new Fledge.Metrics.Web.WebhookProvider(_http)], time);
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

    /// <summary>How many replicas a previous runtime had left running and this one took over.</summary>
    public int LeftoversAdopted { get; private set; }

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
            var runtime = new LocalRuntime(directory, store, options, logger);
            try
            {
                await runtime.TakeOverLeftoversAsync();
                await runtime.StartCoreAsync(options);
            }
            catch
            {
                // What started is stopped again (replicas included), and the data directory let go.
                await runtime.DisposeAsync();
                throw;
            }

            return runtime;
        }
        catch (Exception) when (store is not null && !store.IsDisposed)
        {
            store.Dispose();
            directory.Dispose();
            throw;
        }
        catch (Exception) when (store is null)
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// After a crash: adopts the replicas the previous runtime left running that their replica sets still want (so
    /// their Services go on answering), and ends every other process of this data directory.
    /// </summary>
    private async Task TakeOverLeftoversAsync()
    {
        var (alive, strays) = Leftovers.Find(_store, _directory);
        var adopted = new HashSet<int>();
        var notWanted = new List<int>();
        foreach (var stored in alive)
        {
            if (Platform.ReplicaSet(stored.ReplicaSet) is { } wanted && _supervisor.Count(stored.ReplicaSet) < wanted.Replicas
                && ReplicaProcess.Adopt(stored.Pid, stored.StartTicks) is { } process)
            {
                _supervisor.Adopt(wanted.Template, stored, process);
                adopted.Add(stored.Pid);
                continue;
            }

            notWanted.Add(stored.Pid);
            _store.ForgetProcess(stored.Pod);
        }

        foreach (var stored in _store.Processes().Where(p => !adopted.Contains(p.Pid) && !notWanted.Contains(p.Pid)))
        {
            _store.ForgetProcess(stored.Pod);
        }

        LeftoversAdopted = adopted.Count;
        LeftoversEnded = await Leftovers.EndAsync(notWanted.Concat(strays), adopted, _logger);

        // The cgroups of replicas that were not adopted hold whatever escaped their process groups (daemons).
        var kept = _supervisor.Replicas().Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var pod in _supervisor.Cgroups.Pods().Where(p => !kept.Contains(p)))
        {
            _supervisor.Cgroups.KillAll(pod);
        }
        if (adopted.Count > 0)
        {
            _logger.LogWarning("adopted {Count} replica(s) left running by a previous runtime", adopted.Count);
        }
    }

    private async Task StartCoreAsync(RuntimeOptions options)
    {
        await _services.ResumeAsync();
        _services.Refresh(_supervisor.Replicas(), Platform.Routes());
        Platform.Resume();
        _controller.Start();
        _analysis.Start();
        _housekeeping = Task.Run(HousekeepingAsync);
        _api = await ControlApi.StartAsync(Commands, _directory, _logger);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.MetricsPort));
        var metrics = builder.Build();
        metrics.UseMetricServer("/metrics", Metrics.Registry);
        try
        {
            await metrics.StartAsync();
        }
        catch (IOException e)
        {
            await metrics.DisposeAsync();
            throw new IOException($"cannot serve /metrics on 127.0.0.1:{options.MetricsPort} ({e.Message}); choose another --metrics-port (0 picks a free one)", e);
        }

        _metrics = metrics;
        var address = metrics.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        MetricsUrl = new Uri(new Uri(address), "/metrics");
    }

    /// <summary>
    /// Every second, the image table file (when it changed, replicas that could not start try again at once); every
    /// five, the replicas' logs, kept within their limits.
    /// </summary>
    private async Task HousekeepingAsync()
    {
        try
        {
            for (var tick = 1; !_stop.IsCancellationRequested; tick++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                if (_images.Refresh())
                {
                    _supervisor.RetryFailed();
                }

                if (tick % 5 == 0)
                {
                    _supervisor.RotateLogs(_logLimits);
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
        if (_housekeeping is not null)
        {
            await _housekeeping;
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

        try
        {
            File.Delete(_directory.Socket);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file system gone read-only keeps the socket file; the next start replaces it.
        }

        _http.Dispose();
        _stop.Dispose();
        _store.Dispose();
        _directory.Dispose();
    }
}
