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

    private readonly ConcurrentDictionary<string, V1Pod> _waiting = new(StringComparer.Ordinal);

    /// <param name="readyAfter">How long after binding a pod becomes ready (300 ms when not given).</param>
    /// <param name="manual">Pods wait, bound, until <see cref="ReadyOneAsync"/> makes them ready.</param>
    public TestKubelet(IKubernetes client, string ns, TimeSpan? readyAfter = null, bool manual = false)
    {
        _client = client;
        _namespace = ns;
        ReadyAfter = readyAfter ?? TimeSpan.FromMilliseconds(300);
        Manual = manual;
        _loop = Task.Run(RunAsync);
    }

    public TimeSpan ReadyAfter { get; }

    /// <summary>Pods wait, bound, until <see cref="ReadyOneAsync"/> (a test that steps two controllers in lock-step).</summary>
    public bool Manual { get; }

    /// <summary>Bound pods not yet made ready (manual mode).</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Makes the longest-waiting bound pod ready (manual mode); false when none waits.</summary>
    public async Task<bool> ReadyOneAsync()
    {
        var pod = _waiting.Values.OrderBy(p => p.Metadata.CreationTimestamp).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal).FirstOrDefault();
        if (pod is null || !_waiting.TryRemove(pod.Metadata.Name, out _))
        {
            return false;
        }

        await ReportAsync(pod);
        return true;
    }

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
            _waiting.TryRemove(name, out _);
            _ = Task.Run(() => Try(_client.CoreV1.DeleteNamespacedPodAsync(name, _namespace, gracePeriodSeconds: 0)));
            return;
        }

        if (!_handled.TryAdd(name, true))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            if (pod.Spec.NodeName is null && !await Try(_client.CoreV1.CreateNamespacedPodBindingAsync(
                    new V1Binding { Metadata = new V1ObjectMeta { Name = name }, Target = new V1ObjectReference { Kind = "Node", Name = "test-node" } }, name, _namespace)))
            {
                // Not bound (the API server away?): the next list or event of this pod tries again.
                _handled.TryRemove(name, out _);
                return;
            }

            if (Manual)
            {
                _waiting[name] = pod;
                return;
            }

            await Task.Delay(ReadyAfter);
            if (!await (pod.Metadata.OwnerReferences?.Any(o => o.Kind == "Job") == true ? CompleteAsync(pod) : ReportAsync(pod)))
            {
                _handled.TryRemove(name, out _);
            }
        });
    }

    /// <summary>Reports the pod Running, and Ready unless its image is "broken", through the status subresource.</summary>
    private async Task<bool> ReportAsync(V1Pod pod)
    {
        var broken = pod.Spec.Containers.Any(c => c.Image?.Contains("broken", StringComparison.Ordinal) == true);
        var now = DateTime.UtcNow;
        var ready = broken ? "False" : "True";
        var status = new V1PodStatus
        {
            Phase = "Running",
            PodIP = $"10.244.0.{Interlocked.Increment(ref _ip) % 250}",
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
        return await Try(_client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Metadata.Name, _namespace));
    }

    /// <summary>
    /// A Job's pod runs to its end: the container exits with the code its command says last ("exit 3"; 0 without one), and
    /// the pod is Succeeded or Failed, reported through the status subresource as a kubelet does.
    /// </summary>
    private async Task<bool> CompleteAsync(V1Pod pod)
    {
        var now = DateTime.UtcNow;
        var codes = pod.Spec.Containers.Select(c => System.Text.RegularExpressions.Regex.Matches(string.Join(' ', (c.Command ?? []).Concat(c.Args ?? [])), @"exit (\d+)")
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).LastOrDefault()).ToList();
        var status = new V1PodStatus
        {
            Phase = codes.All(code => code == 0) ? "Succeeded" : "Failed",
            HostIP = "127.0.0.1",
            StartTime = now,
            ContainerStatuses = pod.Spec.Containers.Select((c, i) => new V1ContainerStatus
            {
                Name = c.Name,
                Image = c.Image,
                ImageID = c.Image,
                Ready = false,
                RestartCount = 0,
                State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = codes[i], StartedAt = now, FinishedAt = now, Reason = codes[i] == 0 ? "Completed" : "Error" } },
            }).ToList(),
        };
        var patch = new V1Patch(KubernetesJson.Serialize(new { status }), V1Patch.PatchType.MergePatch);
        return await Try(_client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Metadata.Name, _namespace));
    }

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
