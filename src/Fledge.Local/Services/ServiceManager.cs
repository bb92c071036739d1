using Fledge.Core.Planning;
using Fledge.Core.Validation;
using Fledge.Local.Platform;
using Fledge.Local.Replicas;
using Fledge.Local.Store;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Services;

/// <summary>
/// The runtime's Services: each port of each Service is a <see cref="ServiceProxy"/> on loopback whose
/// endpoints are the ready replicas its selector picks, refreshed whenever a replica changes.
/// A port that cannot be bound is a problem shown on the Service, and bound once it is free; the others keep serving.
/// </summary>
internal sealed class ServiceManager(StateStore store, RequestMetrics metrics, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Entry> _services = new(StringComparer.Ordinal);
    private IReadOnlyList<ReplicaView> _replicas = [];
    private IReadOnlyList<CanaryRoute> _routes = [];

    /// <summary>Starts the Services the store holds (after a restart).</summary>
    public async Task ResumeAsync()
    {
        foreach (var (name, body, createdAt) in store.Objects(StoredKinds.Service))
        {
            await StartAsync(KubernetesJson.Deserialize<V1Service>(body), createdAt);
        }
    }

    /// <summary>Creates or changes a Service; returns "created", "configured" or "unchanged".</summary>
    public async Task<string> ApplyAsync(V1Service service, DateTimeOffset now)
    {
        var body = KubernetesJson.Serialize(service);
        await _gate.WaitAsync();
        try
        {
            if (_services.TryGetValue(service.Metadata.Name, out var existing))
            {
                if (KubernetesJson.Serialize(existing.Service) == body)
                {
                    return "unchanged";
                }

                store.PutObject(StoredKinds.Service, service.Metadata.Name, body, existing.CreatedAt);
                await StopAsync(existing);
                await StartCoreAsync(service, existing.CreatedAt);
                return "configured";
            }

            store.PutObject(StoredKinds.Service, service.Metadata.Name, body, now);
            await StartCoreAsync(service, now);
            return "created";
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> DeleteAsync(string name)
    {
        await _gate.WaitAsync();
        try
        {
            Entry? entry;
            lock (_services)
            {
                if (!_services.ContainsKey(name))
                {
                    return false;
                }
            }

            store.DeleteObject(StoredKinds.Service, name);
            lock (_services)
            {
                _services.Remove(name, out entry);
                RouteAll();
            }

            await StopAsync(entry!);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Recomputes every Service's endpoints from the replicas as they are now (and the canaries' routes, when given).</summary>
    public void Refresh(IReadOnlyList<ReplicaView> replicas, IReadOnlyList<CanaryRoute>? routes = null)
    {
        lock (_services)
        {
            _replicas = replicas;
            _routes = routes ?? _routes;
            RouteAll();
        }
    }

    /// <summary>
    /// Sets every Service's endpoints (under the lock): each Service's selected replicas, narrowed and weighted
    /// when a canary rollout names it; then each endpoint learns which other Services reach the same replica.
    /// </summary>
    private void RouteAll()
    {
        var routed = _services.Values.Select(entry => (Entry: entry, Routing: Route(entry))).ToList();
        var reachedBy = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (entry, (primary, canary, _, _)) in routed)
        {
            foreach (var endpoint in primary.Concat(canary))
            {
                if (!reachedBy.TryGetValue(endpoint.Replica, out var services))
                {
                    reachedBy[endpoint.Replica] = services = [];
                }

                services.Add(entry.Service.Metadata.Name);
            }
        }

        foreach (var (entry, (primary, canary, weight, routes)) in routed)
        {
            var name = entry.Service.Metadata.Name;
            List<ServiceEndpoint> WithOthers(List<ServiceEndpoint> endpoints) =>
                endpoints.Select(e => e with { AlsoFor = reachedBy[e.Replica].Where(s => s != name).ToList() }).ToList();
            foreach (var proxy in entry.Proxies)
            {
                proxy.SetEndpoints(WithOthers(primary), WithOthers(canary), weight, routes);
            }
        }
    }

    /// <summary>A Service's endpoints: its selector's ready replicas, narrowed and weighted when a canary rollout names it.</summary>
    private (List<ServiceEndpoint> Primary, List<ServiceEndpoint> Canary, int Weight, ActiveRoutes Routes) Route(Entry entry)
    {
        var name = entry.Service.Metadata.Name;
        var matched = EndpointsOf(entry.Service, _replicas);
        var route = _routes.FirstOrDefault(r => r.StableService == name || r.CanaryService == name);
        if (route is null)
        {
            return (matched, [], 0, ActiveRoutes.None);
        }

        bool Of(ServiceEndpoint e, string? replicaSet) => replicaSet is not null && e.ReplicaSet == replicaSet;
        if (route.CanaryService == name)
        {
            return (matched.Where(e => Of(e, route.CanaryReplicaSet ?? route.StableReplicaSet)).ToList(), [], 0, ActiveRoutes.None);
        }

        var primary = matched.Where(e => Of(e, route.StableReplicaSet)).ToList();
        return route.TrafficRouted && route.CanaryReplicaSet is not null
            ? (primary, matched.Where(e => Of(e, route.CanaryReplicaSet)).ToList(), route.Weight, route.Routes)
            : (primary, [], 0, ActiveRoutes.None);
    }

    /// <summary>Each Service as applied, with when it was created and the problem it has, if any.</summary>
    public IReadOnlyList<(V1Service Service, DateTimeOffset CreatedAt, string? Problem)> Objects()
    {
        lock (_services)
        {
            return _services.Values.OrderBy(e => e.Service.Metadata.Name, StringComparer.Ordinal).Select(e => (e.Service, e.CreatedAt, e.Problem)).ToList();
        }
    }

    public IReadOnlyList<ServiceView> List()
    {
        lock (_services)
        {
            return _services.Values.Select(e => new ServiceView(
                    e.Service.Metadata.Name,
                    (e.Service.Spec?.Ports ?? []).Select(p => p.Port).ToList(),
                    new Dictionary<string, string>(e.Service.Spec?.Selector ?? new Dictionary<string, string>()),
                    e.Proxies.FirstOrDefault()?.Endpoints ?? EndpointsOf(e.Service, _replicas),
                    e.Problem,
                    e.CreatedAt))
                .OrderBy(s => s.Name, StringComparer.Ordinal)
                .ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Entry> entries;
        lock (_services)
        {
            entries = _services.Values.ToList();
            _services.Clear();
        }

        foreach (var entry in entries)
        {
            await StopAsync(entry);
        }

        _gate.Dispose();
    }

    private async Task StartAsync(V1Service service, DateTimeOffset createdAt)
    {
        await _gate.WaitAsync();
        try
        {
            await StartCoreAsync(service, createdAt);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartCoreAsync(V1Service service, DateTimeOffset createdAt)
    {
        var entry = new Entry(service, createdAt);
        var ports = service.Spec?.Ports ?? [];
        for (var i = 0; i < ports.Count; i++)
        {
            var proxy = await TryListenAsync(service, i, entry);
            if (proxy is not null)
            {
                entry.Proxies.Add(proxy);
            }
            else
            {
                entry.Waiting.Add(i);
            }
        }

        lock (_services)
        {
            _services[service.Metadata.Name] = entry;
            RouteAll();
        }

        if (entry.Waiting.Count > 0)
        {
            entry.Retrying = RetryAsync(entry);
        }
    }

    /// <summary>Binds port <paramref name="index"/> of the Service, or records why it could not (the Service's problem) and returns null.</summary>
    private async Task<ServiceProxy?> TryListenAsync(V1Service service, int index, Entry entry)
    {
        var port = service.Spec!.Ports[index].Port;
        try
        {
            var proxy = await ServiceProxy.StartAsync(service.Metadata.Name, port, metrics);
            entry.Problems.Remove(index);
            return proxy;
        }
        catch (IOException e)
        {
            var problem = $"cannot listen on 127.0.0.1:{port}: {e.Message}; retrying until it is free (or choose a free port for spec.ports[{index}].port)";
            if (entry.Problems.GetValueOrDefault(index) != problem)
            {
                logger.LogWarning("Service {Service}: {Problem}", service.Metadata.Name, problem);
            }

            entry.Problems[index] = problem;
            return null;
        }
        finally
        {
            lock (_services)
            {
                entry.Problem = entry.Problems.Count > 0 ? string.Join("; ", entry.Problems.OrderBy(p => p.Key).Select(p => p.Value)) : null;
            }
        }
    }

    /// <summary>
    /// Binds the ports that were busy once they are free, with back-off (0.5 s doubling to 10 s), for as long as the
    /// Service is as applied: no restart, no new apply needed.
    /// </summary>
    private async Task RetryAsync(Entry entry)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        try
        {
            while (entry.Waiting.Count > 0)
            {
                await Task.Delay(delay, entry.Stopping.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                foreach (var index in entry.Waiting.ToList())
                {
                    var proxy = await TryListenAsync(entry.Service, index, entry);
                    if (proxy is null)
                    {
                        continue;
                    }

                    entry.Waiting.Remove(index);
                    lock (_services)
                    {
                        entry.Proxies.Add(proxy);
                        RouteAll();
                    }

                    if (entry.Stopping.IsCancellationRequested)
                    {
                        return;
                    }

                    logger.LogInformation("Service {Service}: listening on 127.0.0.1:{Port}", entry.Service.Metadata.Name, proxy.Port);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task StopAsync(Entry entry)
    {
        await entry.Stopping.CancelAsync();
        await entry.Retrying;
        foreach (var proxy in entry.Proxies)
        {
            await proxy.DisposeAsync();
        }

        entry.Stopping.Dispose();
    }

    private static List<ServiceEndpoint> EndpointsOf(V1Service service, IReadOnlyList<ReplicaView> replicas)
    {
        var selector = service.Spec?.Selector;
        if (selector is null || selector.Count == 0)
        {
            return [];
        }

        var labelSelector = new V1LabelSelector { MatchLabels = selector };
        return replicas
            .Where(r => r.IsEndpoint && Selectors.Matches(labelSelector, r.Labels.ToDictionary()))
            .Select(r => new ServiceEndpoint(r.Name, r.ReplicaSet, r.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), $"http://127.0.0.1:{r.Port}/"))
            .ToList();
    }

    private sealed class Entry(V1Service service, DateTimeOffset createdAt)
    {
        public V1Service Service { get; } = service;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        /// <summary>The proxies listening; changed under the manager's lock.</summary>
        public List<ServiceProxy> Proxies { get; } = [];

        /// <summary>The indexes of the ports still to bind (used by the retry loop alone once it runs).</summary>
        public List<int> Waiting { get; } = [];

        /// <summary>Why each port in <see cref="Waiting"/> is not bound yet.</summary>
        public Dictionary<int, string> Problems { get; } = [];

        public string? Problem { get; set; }

        public Task Retrying { get; set; } = Task.CompletedTask;

        public CancellationTokenSource Stopping { get; } = new();
    }
}
