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
/// A port that cannot be bound is a problem shown on the Service; the others keep serving.
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
                if (!_services.Remove(name, out entry))
                {
                    return false;
                }

                RouteAll();
            }

            store.DeleteObject(StoredKinds.Service, name);
            await StopAsync(entry);
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
        foreach (var (entry, (primary, canary, _)) in routed)
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

        foreach (var (entry, (primary, canary, weight)) in routed)
        {
            var name = entry.Service.Metadata.Name;
            List<ServiceEndpoint> WithOthers(List<ServiceEndpoint> endpoints) =>
                endpoints.Select(e => e with { AlsoFor = reachedBy[e.Replica].Where(s => s != name).ToList() }).ToList();
            foreach (var proxy in entry.Proxies)
            {
                proxy.SetEndpoints(WithOthers(primary), WithOthers(canary), weight);
            }
        }
    }

    /// <summary>A Service's endpoints: its selector's ready replicas, narrowed and weighted when a canary rollout names it.</summary>
    private (List<ServiceEndpoint> Primary, List<ServiceEndpoint> Canary, int Weight) Route(Entry entry)
    {
        var name = entry.Service.Metadata.Name;
        var matched = EndpointsOf(entry.Service, _replicas);
        var route = _routes.FirstOrDefault(r => r.StableService == name || r.CanaryService == name);
        if (route is null)
        {
            return (matched, [], 0);
        }

        bool Of(ServiceEndpoint e, string? replicaSet) => replicaSet is not null && e.ReplicaSet == replicaSet;
        if (route.CanaryService == name)
        {
            return (matched.Where(e => Of(e, route.CanaryReplicaSet ?? route.StableReplicaSet)).ToList(), [], 0);
        }

        var primary = matched.Where(e => Of(e, route.StableReplicaSet)).ToList();
        return route.TrafficRouted && route.CanaryReplicaSet is not null
            ? (primary, matched.Where(e => Of(e, route.CanaryReplicaSet)).ToList(), route.Weight)
            : (primary, [], 0);
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
        var problems = new List<string>();
        foreach (var port in service.Spec?.Ports ?? [])
        {
            try
            {
                entry.Proxies.Add(await ServiceProxy.StartAsync(service.Metadata.Name, port.Port, metrics));
            }
            catch (IOException e)
            {
                problems.Add($"cannot listen on 127.0.0.1:{port.Port}: {e.Message}; choose a free port for spec.ports[{service.Spec!.Ports.IndexOf(port)}].port");
                logger.LogWarning("Service {Service}: {Problem}", service.Metadata.Name, problems[^1]);
            }
        }

        entry.Problem = problems.Count > 0 ? string.Join("; ", problems) : null;
        lock (_services)
        {
            _services[service.Metadata.Name] = entry;
            RouteAll();
        }
    }

    private static async Task StopAsync(Entry entry)
    {
        foreach (var proxy in entry.Proxies)
        {
            await proxy.DisposeAsync();
        }
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

        public List<ServiceProxy> Proxies { get; } = [];

        public string? Problem { get; set; }
    }
}
