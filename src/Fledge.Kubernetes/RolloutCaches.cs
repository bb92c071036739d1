using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Fledge.Kubernetes;

/// <summary>
/// The Rollouts of both groups the operator serves, fledge.io's and (unless turned off) argoproj.io's, as one cache:
/// a name is looked up in fledge.io first; an argoproj.io Rollout of the same name and namespace is left alone.
/// </summary>
internal sealed class RolloutCaches
{
    private readonly IReadOnlyList<ObjectCache<RolloutObject>> _caches;

    public RolloutCaches(IKubernetes client, string? ns, IEnumerable<string> groups, ILogger logger)
    {
        _caches = [.. groups.Select(group => CustomObjects.Cache<RolloutObject, RolloutObjectList>(client, group, RolloutCrd.Plural, ns, logger))];
        foreach (var cache in _caches)
        {
            // The key is reconciled as a whole: whichever group's Rollout holds the name is the one planned.
            cache.Changed += rollout => Changed?.Invoke(rollout);
        }
    }

    /// <summary>Raised with every Rollout added, changed or deleted.</summary>
    public event Action<RolloutObject>? Changed;

    public Task Synced => Task.WhenAll(_caches.Select(c => c.Synced));

    /// <summary>Every Rollout served (fledge.io's first where a name is in both groups).</summary>
    public IEnumerable<RolloutObject> Objects => _caches.SelectMany(c => c.Objects)
        .DistinctBy(r => ObjectCache<RolloutObject>.Key(r.Metadata.NamespaceProperty, r.Metadata.Name));

    public RolloutObject? Get(string? ns, string name) => _caches.Select(c => c.Get(ns, name)).FirstOrDefault(r => r is not null);

    /// <summary>Keeps a Rollout the operator just wrote, in its group's cache.</summary>
    public void Put(RolloutObject rollout) => _caches.First(c => c.Kind == $"{RolloutCrd.Plural}.{rollout.ApiVersion.Split('/')[0]}").Put(rollout);

    public IEnumerable<Task> RunAsync(CancellationToken cancel) => _caches.Select(c => c.RunAsync(cancel));
}

/// <summary>List+watch caches of custom resources of one group, in one namespace or all.</summary>
internal static class CustomObjects
{
    public static ObjectCache<T> Cache<T, TList>(IKubernetes client, string group, string plural, string? ns, ILogger logger)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T> =>
        new($"{plural}.{group}",
            async cancel =>
            {
                var list = ns is null
                    ? await client.CustomObjects.ListClusterCustomObjectAsync<TList>(group, RolloutCrd.Version, plural, cancellationToken: cancel)
                    : await client.CustomObjects.ListNamespacedCustomObjectAsync<TList>(group, RolloutCrd.Version, ns, plural, cancellationToken: cancel);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            // The typed watch of custom objects (WatchAsync<T, L>) is marked obsolete for its replacement, which is untyped.
#pragma warning disable CS0618
            (version, cancel) => ns is null
                ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(group, RolloutCrd.Version, plural,
                    allowWatchBookmarks: true, resourceVersion: version, watch: true, timeoutSeconds: 300, cancellationToken: cancel).WatchAsync<T, object>(cancellationToken: cancel)
                : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(group, RolloutCrd.Version, ns, plural,
                    allowWatchBookmarks: true, resourceVersion: version, watch: true, timeoutSeconds: 300, cancellationToken: cancel).WatchAsync<T, object>(cancellationToken: cancel),
#pragma warning restore CS0618
            logger);
}
