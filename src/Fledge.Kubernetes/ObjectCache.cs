using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Fledge.Kubernetes;

/// <summary>
/// The latest of each object of one kind, kept by list then watch, as client-go's informers keep them: the watch
/// starts at the list's resourceVersion with bookmarks, is resumed from the last version seen when the server ends
/// it, starts over with a list on 410 Gone, and backs off (1 s doubling to 30 s) on other errors. The operator's own
/// writes go in at once (<see cref="Put"/>), so a reconcile sees what it just did before the watch reports it.
/// </summary>
internal sealed class ObjectCache<T>(
    string kind,
    Func<CancellationToken, Task<(IList<T> Items, string ResourceVersion)>> list,
    Func<string, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> watch,
    ILogger logger,
    Func<T, string>? indexBy = null)
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<string, T> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _indexOf = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Raised with every object added, changed or deleted (from the watch, a re-list, or <see cref="Put"/>).</summary>
    public event Action<T>? Changed;

    /// <summary>What is cached ("rollouts.fledge.io").</summary>
    public string Kind => kind;

    /// <summary>Completes once the first list is in.</summary>
    public Task Synced => _synced.Task;

    public IEnumerable<T> Objects => _objects.Values;

    /// <summary>How many times the watch was started again from a fresh list (410 Gone or an error).</summary>
    public int Relists { get; private set; }

    public static string Key(string? ns, string name) => $"{ns}/{name}";

    public T? Get(string? ns, string name) => _objects.GetValueOrDefault(Key(ns, name));

    /// <summary>The objects whose index key (the function given) is <paramref name="key"/>: a ReplicaSet's controller, say.</summary>
    public IReadOnlyList<T> Indexed(string key)
    {
        lock (_index)
        {
            return _index.TryGetValue(key, out var keys) ? [.. keys.Select(k => _objects.GetValueOrDefault(k)).OfType<T>()] : [];
        }
    }

    /// <summary>Keeps an object the operator just wrote, unless the cache already has a newer version of it.</summary>
    public void Put(T obj)
    {
        var key = Key(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
        var kept = _objects.AddOrUpdate(key, obj, (_, current) => Newer(obj, current) ? obj : current);
        if (ReferenceEquals(kept, obj))
        {
            Index(key);
            Changed?.Invoke(obj);
        }
    }

    public void Remove(string? ns, string name)
    {
        if (_objects.TryRemove(Key(ns, name), out var removed))
        {
            Index(Key(ns, name));
            Changed?.Invoke(removed);
        }
    }

    public async Task RunAsync(CancellationToken cancel)
    {
        var backOff = TimeSpan.FromSeconds(1);
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                var (items, version) = await list(cancel);
                Replace(items);
                _synced.TrySetResult();
                backOff = TimeSpan.FromSeconds(1);
                while (!cancel.IsCancellationRequested)
                {
                    // The server ends a watch after a while; it is resumed from the last version seen.
                    await foreach (var (type, obj) in watch(version, cancel))
                    {
                        version = obj.Metadata?.ResourceVersion ?? version;
                        switch (type)
                        {
                            case WatchEventType.Added or WatchEventType.Modified:
                                Put(obj);
                                break;
                            case WatchEventType.Deleted when obj.Metadata is not null:
                                Remove(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
                                break;
                            case WatchEventType.Error:
                                throw new WatchExpiredException();
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsGone(e))
            {
                Relists++;
                logger.LogInformation("{Kind}: the watch's version is gone (410); listing again", kind);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                // The resource is not served (its CRD is not installed): nothing of it to wait for; look again now and then.
                Replace([]);
                _synced.TrySetResult();
                logger.LogInformation("{Kind}: not served by the API server; looking again in 30 s", kind);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), cancel);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or KubernetesException or System.Text.Json.JsonException)
            {
                Relists++;
                logger.LogWarning("{Kind}: list/watch failed ({Message}); again in {Seconds} s", kind, e.Message, backOff.TotalSeconds);
                try
                {
                    await Task.Delay(backOff, cancel);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private void Replace(IList<T> items)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var key = Key(item.Metadata.NamespaceProperty, item.Metadata.Name);
            keys.Add(key);
            _objects[key] = item;
            Index(key);
            Changed?.Invoke(item);
        }

        foreach (var gone in _objects.Keys.Where(k => !keys.Contains(k)).ToList())
        {
            if (_objects.TryRemove(gone, out var removed))
            {
                Index(gone);
                Changed?.Invoke(removed);
            }
        }
    }

    /// <summary>
    /// Files the key under its object's index key as the cache holds it now (or unfiles a key gone): run after every
    /// change, under one lock, so the last run files the latest version whatever order two changes came in.
    /// </summary>
    private void Index(string key)
    {
        if (indexBy is null)
        {
            return;
        }

        lock (_index)
        {
            if (_indexOf.Remove(key, out var previous))
            {
                _index[previous].Remove(key);
            }

            if (_objects.TryGetValue(key, out var current))
            {
                var indexKey = indexBy(current);
                _indexOf[key] = indexKey;
                if (!_index.TryGetValue(indexKey, out var keys))
                {
                    _index[indexKey] = keys = new HashSet<string>(StringComparer.Ordinal);
                }

                keys.Add(key);
            }
        }
    }

    private static bool IsGone(Exception e) => e switch
    {
        HttpOperationException http => http.Response?.StatusCode == HttpStatusCode.Gone,
        KubernetesException k => k.Status?.Code == 410,
        WatchExpiredException => true,
        _ => false,
    };

    /// <summary>Whether <paramref name="candidate"/> is at least as new as <paramref name="current"/> (resourceVersions compared as numbers when they are).</summary>
    private static bool Newer(T candidate, T current) =>
        !long.TryParse(candidate.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var a)
        || !long.TryParse(current.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var b)
        || a >= b;
}

/// <summary>The watch reported an error event (its version expired): the cache lists again.</summary>
internal sealed class WatchExpiredException() : Exception("the watch answered an error event");
