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
    ILogger logger)
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<string, T> _objects = new(StringComparer.Ordinal);
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

    /// <summary>Keeps an object the operator just wrote, unless the cache already has a newer version of it.</summary>
    public void Put(T obj)
    {
        var key = Key(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
        var kept = _objects.AddOrUpdate(key, obj, (_, current) => Newer(obj, current) ? obj : current);
        if (ReferenceEquals(kept, obj))
        {
            Changed?.Invoke(obj);
        }
    }

    public void Remove(string? ns, string name)
    {
        if (_objects.TryRemove(Key(ns, name), out var removed))
        {
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
            keys.Add(Key(item.Metadata.NamespaceProperty, item.Metadata.Name));
            _objects[Key(item.Metadata.NamespaceProperty, item.Metadata.Name)] = item;
            Changed?.Invoke(item);
        }

        foreach (var gone in _objects.Keys.Where(k => !keys.Contains(k)).ToList())
        {
            if (_objects.TryRemove(gone, out var removed))
            {
                Changed?.Invoke(removed);
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
