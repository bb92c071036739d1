using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// The kubelet these machines lack, played at its real protocol: every new pod in the namespace is bound to a node
/// (a Binding), then, after <see cref="ReadyAfter"/>, reported Running and Ready through the status subresource,
/// except pods whose image contains "broken", which never become ready; a pod being deleted is finished off (grace 0).
/// </summary>
internal sealed class TestKubelet : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, bool> _handled = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _ip = 10;

    public TestKubelet(IKubernetes client, string ns, TimeSpan? readyAfter = null)
    {
        _client = client;
        _namespace = ns;
        ReadyAfter = readyAfter ?? TimeSpan.FromMilliseconds(300);
        _loop = Task.Run(RunAsync);
    }

    public TimeSpan ReadyAfter { get; }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var list = await _client.CoreV1.ListNamespacedPodAsync(_namespace, cancellationToken: _stop.Token);
                foreach (var pod in list.Items)
                {
                    Handle(pod);
                }

                await foreach (var (type, pod) in _client.CoreV1.WatchListNamespacedPodAsync(_namespace,
                    resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 60, cancellationToken: _stop.Token))
                {
                    if (type is WatchEventType.Added or WatchEventType.Modified)
                    {
                        Handle(pod);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // The API server went away (or ended the watch badly): list again, as a kubelet does.
                await Task.Delay(200);
            }
        }
    }

    private void Handle(V1Pod pod)
    {
        var name = pod.Metadata.Name;
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            _ = Task.Run(() => Ignore(_client.CoreV1.DeleteNamespacedPodAsync(name, _namespace, gracePeriodSeconds: 0)));
            return;
        }

        if (!_handled.TryAdd(name, true))
        {
            return;
        }

        var ip = $"10.244.0.{Interlocked.Increment(ref _ip) % 250}";
        _ = Task.Run(async () =>
        {
            if (pod.Spec.NodeName is null && !await Try(_client.CoreV1.CreateNamespacedPodBindingAsync(
                    new V1Binding { Metadata = new V1ObjectMeta { Name = name }, Target = new V1ObjectReference { Kind = "Node", Name = "test-node" } }, name, _namespace)))
            {
                // Not bound (the API server away?): the next list or event of this pod tries again.
                _handled.TryRemove(name, out _);
                return;
            }

            var broken = pod.Spec.Containers.Any(c => c.Image?.Contains("broken", StringComparison.Ordinal) == true);
            await Task.Delay(broken ? TimeSpan.Zero : ReadyAfter);
            var now = DateTime.UtcNow;
            var ready = broken ? "False" : "True";
            var status = new V1PodStatus
            {
                Phase = "Running",
                PodIP = ip,
                HostIP = "127.0.0.1",
                StartTime = now,
                Conditions =
                [
                    new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = now },
                    new V1PodCondition { Type = "Initialized", Status = "True", LastTransitionTime = now },
                    new V1PodCondition { Type = "ContainersReady", Status = ready, LastTransitionTime = now },
                    new V1PodCondition { Type = "Ready", Status = ready, LastTransitionTime = now },
                ],
                ContainerStatuses = pod.Spec.Containers.Select(c => new V1ContainerStatus
                {
                    Name = c.Name,
                    Image = c.Image,
                    ImageID = c.Image,
                    Ready = !broken,
                    Started = true,
                    RestartCount = 0,
                    State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } },
                }).ToList(),
            };
            var patch = new V1Patch(KubernetesJson.Serialize(new { status }), V1Patch.PatchType.MergePatch);
            if (!await Try(_client.CoreV1.PatchNamespacedPodStatusAsync(patch, name, _namespace)))
            {
                _handled.TryRemove(name, out _);
            }
        });
    }

    private static async Task Ignore<T>(Task<T> call) => await Try(call);

    /// <summary>Whether the call went through (a pod gone meanwhile, or an API server away, is a false).</summary>
    private static async Task<bool> Try<T>(Task<T> call)
    {
        try
        {
            await call;
            return true;
        }
        catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or IOException or TaskCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
