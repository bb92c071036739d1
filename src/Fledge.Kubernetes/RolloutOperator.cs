using System.Collections.Immutable;
using Fledge.Control;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Fledge.Kubernetes;

/// <summary>What `fledge operator` watches and who it is.</summary>
/// <param name="Namespace">The one namespace to watch, or null for all of them.</param>
/// <param name="Identity">This operator's name in the Lease and in Events (the host name and pid by default).</param>
/// <param name="LeaseNamespace">Where the Lease is held (the watched namespace, or "default").</param>
/// <param name="Argoproj">Whether argoproj.io Rollouts are reconciled too (off where Argo Rollouts' own controller runs).</param>
/// <param name="Workers">How many rollouts are reconciled at once (each key by one worker at a time), as the Deployment controller's --concurrent-deployment-syncs.</param>
public sealed record OperatorOptions(string? Namespace, string Identity, string LeaseNamespace, TimeSpan Resync, bool Argoproj = true, int Workers = 4)
{
    public const string LeaseName = "fledge-operator";
}

/// <summary>
/// Reconciles Rollouts on a Kubernetes API server with the planner the simulator and the single-host runtime use.
/// Rollouts and ReplicaSets are listed and watched into caches; a change queues its rollout (a ReplicaSet's through
/// its controller reference) on a work queue with requeue-after and back-off; one worker reconciles a key at a time.
/// Only the holder of the coordination.k8s.io Lease acts, so two operators never both write.
/// </summary>
public sealed class RolloutOperator : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly OperatorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WorkQueue _queue;
    private readonly RolloutCaches _rollouts;
    private readonly ObjectCache<V1ReplicaSet> _replicaSets;
    private readonly IReadOnlyList<ObjectCache<AnalysisTemplateObject>> _templates;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ImmutableDictionary<string, Core.Analysis.AnalysisTemplate>> _templatesByNamespace = new(StringComparer.Ordinal);
    private readonly KubernetesPlatform _platform;
    private readonly ClusterAnalysis _analysis;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private long _reconciles;
    private long _errors;

    public RolloutOperator(IKubernetes client, OperatorOptions options, ILogger logger, TimeProvider? time = null)
    {
        _client = client;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _queue = new WorkQueue(_time);
        var ns = options.Namespace;
        string[] groups = options.Argoproj ? [RolloutCrd.Group, RolloutCrd.ArgoGroup] : [RolloutCrd.Group];
        _rollouts = new RolloutCaches(client, ns, groups, logger);
        _replicaSets = new ObjectCache<V1ReplicaSet>("replicasets",
            async cancel =>
            {
                var list = ns is null
                    ? await client.AppsV1.ListReplicaSetForAllNamespacesAsync(cancellationToken: cancel)
                    : await client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: cancel);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            (version, cancel) => ns is null
                ? client.AppsV1.WatchListReplicaSetForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: 300, cancellationToken: cancel)
                : client.AppsV1.WatchListNamespacedReplicaSetAsync(ns, allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: 300, cancellationToken: cancel),
            logger,
            KubernetesPlatform.ControllerIndex);
        // AnalysisTemplates of the namespaces, and the ClusterAnalysisTemplates (no namespace) that clusterScope: true names
        _templates = [.. groups.SelectMany(group => new[]
        {
            CustomObjects.Cache<AnalysisTemplateObject, AnalysisTemplateObjectList>(client, group, "analysistemplates", ns, logger),
            CustomObjects.Cache<AnalysisTemplateObject, AnalysisTemplateObjectList>(client, group, "clusteranalysistemplates", null, logger),
        })];
        _platform = new KubernetesPlatform(client, _rollouts, _replicaSets, Templates, options.Identity) { Notifier = new Metrics.Web.WebhookNotifier(_http) };
        // The custom and external metrics APIs are read through the API server, with the operator's own credentials.
        IEnumerable<Metrics.IMetricProvider> kubernetesMetrics = client is k8s.Kubernetes kubernetes
            ? [new Metrics.Kubernetes.KubernetesMetricProvider(kubernetes.HttpClient, kubernetes.BaseUri, throughServerOnly: true)]
            : [];
        var providers = new Metrics.MetricProviders(
            [new Metrics.Prometheus.PrometheusProvider(_http), new Metrics.Web.WebProvider(_http), .. kubernetesMetrics, new ClusterJobProvider(client), new Metrics.Web.WebhookProvider(_http)], _time);
        _analysis = new ClusterAnalysis(_rollouts, _platform, Templates, providers, key => _queue.Add(key), _time, logger);
        foreach (var cache in _templates)
        {
            cache.Changed += template =>
            {
                // A template changed: read again on next use, and look again at the namespace's rollouts (an analysis may use it).
                var templateNamespace = template.Metadata.NamespaceProperty ?? "";
                var clusterScoped = templateNamespace.Length == 0;
                if (clusterScoped)
                {
                    _templatesByNamespace.Clear();
                }
                else
                {
                    _templatesByNamespace.TryRemove(templateNamespace, out _);
                }

                foreach (var rollout in _rollouts.Objects.Where(r => clusterScoped || r.Metadata.NamespaceProperty == templateNamespace))
                {
                    _queue.Add(ObjectCache<RolloutObject>.Key(rollout.Metadata.NamespaceProperty, rollout.Metadata.Name));
                }
            };
        }

        _rollouts.Changed += rollout => _queue.Add(ObjectCache<RolloutObject>.Key(rollout.Metadata.NamespaceProperty, rollout.Metadata.Name));
        _replicaSets.Changed += rs =>
        {
            if (rs.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true) is { } owner)
            {
                if (owner.Kind == "Rollout")
                {
                    _queue.Add(ObjectCache<RolloutObject>.Key(rs.Metadata.NamespaceProperty, owner.Name));
                }

                return;
            }

            // An orphan: the rollouts whose selector matches it may adopt it
            foreach (var rollout in _rollouts.Objects.Where(r => r.Metadata.NamespaceProperty == rs.Metadata.NamespaceProperty && Selects(r, rs)))
            {
                _queue.Add(ObjectCache<RolloutObject>.Key(rollout.Metadata.NamespaceProperty, rollout.Metadata.Name));
            }
        };
    }

    /// <summary>Whether this operator holds the Lease (and so acts).</summary>
    public bool Leading { get; private set; }

    /// <summary>True once the caches are filled (the readiness probe).</summary>
    public bool Ready => _rollouts.Synced.IsCompleted && _replicaSets.Synced.IsCompleted && _templates.All(t => t.Synced.IsCompleted);

    public long Reconciles => Interlocked.Read(ref _reconciles);

    public long Errors => Interlocked.Read(ref _errors);

    public int QueueDepth => _queue.Depth;

    public IEnumerable<RolloutObject> Rollouts => _rollouts.Objects;

    /// <summary>
    /// Runs until <paramref name="cancel"/>: waits for the Lease, then watches and reconciles while it holds it; a lost
    /// Lease (the API server gone longer than the renew deadline, say) stops acting and waits for it again.
    /// </summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            await TermAsync(cancel);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancel);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One term: waits to hold the Lease, then acts until it is lost.</summary>
    private async Task TermAsync(CancellationToken cancel)
    {
        var lease = new LeaseLock(_client, _options.LeaseNamespace, OperatorOptions.LeaseName, _options.Identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(lease)
        {
            LeaseDuration = TimeSpan.FromSeconds(15),
            RenewDeadline = TimeSpan.FromSeconds(10),
            RetryPeriod = TimeSpan.FromSeconds(2),
        });
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var work = new TaskCompletionSource();
        var held = false;
        elector.OnStartedLeading += () =>
        {
            Leading = held = true;
            _logger.LogInformation("{Identity} holds lease {Namespace}/{Lease}: reconciling", _options.Identity, _options.LeaseNamespace, OperatorOptions.LeaseName);
            work.TrySetResult();
        };
        elector.OnStoppedLeading += () =>
        {
            Leading = false;
            _logger.LogWarning("{Identity} lost lease {Namespace}/{Lease}: stopping until it holds it again", _options.Identity, _options.LeaseNamespace, OperatorOptions.LeaseName);
            leading.Cancel();
        };
        var election = elector.RunUntilLeadershipLostAsync(leading.Token);
        var tasks = new List<Task> { election };
        try
        {
            if (await Task.WhenAny(work.Task, election) != work.Task)
            {
                await election;
                return;
            }

            tasks.AddRange([.. _rollouts.RunAsync(leading.Token), _replicaSets.RunAsync(leading.Token), .. _templates.Select(t => t.RunAsync(leading.Token)),
                .. Enumerable.Range(0, Math.Max(1, _options.Workers)).Select(worker => WorkAsync(worker, leading.Token)), ResyncAsync(leading.Token), _analysis.RunAsync(leading.Token)]);
            await Task.WhenAny(tasks);
            await leading.CancelAsync();
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or IOException or KubernetesException)
        {
            // The API server cannot be reached to hold the Lease: stop acting, and try for it again.
            Leading = false;
            _logger.LogWarning("{Identity}: the Lease cannot be held ({Message}); trying again", _options.Identity, e.Message);
            await leading.CancelAsync();
            await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }

        if (held && cancel.IsCancellationRequested)
        {
            await ReleaseAsync(lease);
        }
    }

    /// <summary>
    /// Stopping (SIGTERM, a rolling update of the operator's Deployment): its work done, the operator gives the Lease up,
    /// as client-go's ReleaseOnCancel does, so the next one acts at once instead of after the lease duration.
    /// </summary>
    private async Task ReleaseAsync(LeaseLock lease)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var record = await lease.GetAsync(timeout.Token);
            if (record.HolderIdentity != _options.Identity)
            {
                return;
            }

            var now = _time.GetUtcNow().UtcDateTime;
            await lease.UpdateAsync(new LeaderElectionRecord
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaderTransitions = record.LeaderTransitions,
            }, timeout.Token);
            _logger.LogInformation("{Identity} released lease {Namespace}/{Lease}", _options.Identity, _options.LeaseNamespace, OperatorOptions.LeaseName);
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or IOException or KubernetesException or OperationCanceledException)
        {
            _logger.LogWarning("{Identity}: the Lease could not be released ({Message}); the next operator waits for it to expire", _options.Identity, e.Message);
        }
    }

    private async Task WorkAsync(int worker, CancellationToken cancel)
    {
        await Task.WhenAll([_rollouts.Synced, _replicaSets.Synced, .. _templates.Select(t => t.Synced)]).WaitAsync(cancel);
        if (worker == 0)
        {
            _logger.LogInformation("caches synced: {Rollouts} rollouts, {ReplicaSets} replicasets", _rollouts.Objects.Count(), _replicaSets.Objects.Count());
        }

        while (!cancel.IsCancellationRequested)
        {
            string key;
            try
            {
                key = await _queue.TakeAsync(cancel);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // The planner's platform waits for the API server on each write: off the caller's thread.
            await Task.Run(() => Reconcile(key), CancellationToken.None);
            _queue.Done(key);
        }
    }

    private void Reconcile(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (_rollouts.Get(key[..slash], key[(slash + 1)..]) is null)
        {
            _queue.Forget(key);
            return;
        }

        Interlocked.Increment(ref _reconciles);
        try
        {
            var now = _time.GetUtcNow();
            _platform.Claim(key, now);
            var result = Reconciler.Reconcile(_platform, key, now, plan =>
            {
                foreach (var action in plan.Actions.Where(a => a is not (Core.Planning.RecordEvent or Core.Planning.UpdateRolloutStatus)))
                {
                    _logger.LogInformation("{Key}: {Action}: {Reason}", key, action.GetType().Name, action.Reason);
                }
            });
            _platform.SyncServices(key);
            _platform.ScaleDownWorkload(key, now);
            var restartIn = _platform.RestartPods(key, now);
            _queue.Forget(key);
            if ((restartIn is { } restart && (result.RequeueAfter is null || restart < result.RequeueAfter) ? restartIn : result.RequeueAfter) is { } after)
            {
                _queue.AddAfter(key, after);
            }
        }
        catch (StaleRolloutException)
        {
            // Changed under us: the watch brings the new version; plan again from it.
            _queue.AddAfter(key, TimeSpan.FromMilliseconds(100));
        }
        catch (Exception e) when (e is InvalidRolloutException or KeyNotFoundException or InvalidOperationException
            or k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
        {
            Interlocked.Increment(ref _errors);
            var delay = _queue.AddRateLimited(key);
            _logger.LogWarning("reconciling rollout {Key} failed: {Message}; again in {Seconds} s", key, e.Message, delay.TotalSeconds);
        }
    }

    /// <summary>Every rollout again now and then: time passing (minReadySeconds, deadlines) is not an event.</summary>
    private async Task ResyncAsync(CancellationToken cancel)
    {
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                await Task.Delay(_options.Resync, _time, cancel);
                foreach (var rollout in _rollouts.Objects)
                {
                    _queue.Add(ObjectCache<RolloutObject>.Key(rollout.Metadata.NamespaceProperty, rollout.Metadata.Name));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static bool Selects(RolloutObject rollout, V1ReplicaSet rs) =>
        rs.Metadata.Labels is { } labels && rollout.Spec?["selector"] is System.Text.Json.Nodes.JsonObject selector
        && Core.Validation.Selectors.Matches(KubernetesJson.Deserialize<V1LabelSelector>(selector.ToJsonString()), labels);

    /// <summary>A namespace's AnalysisTemplates as the planner reads them, read from the cache once per change.</summary>
    private ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> Templates(string ns) =>
        _templatesByNamespace.GetOrAdd(ns, n => WithSecrets(n, Cluster.AnalysisTemplates.Read(_templates.SelectMany(t => t.Objects)
            .Where(t => t.Metadata.NamespaceProperty == n || string.IsNullOrEmpty(t.Metadata.NamespaceProperty))
            .Select(t =>
            {
                var node = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(t))!;
                node["kind"] = string.IsNullOrEmpty(t.Metadata.NamespaceProperty) ? Core.Manifests.AnalysisTemplateReader.ClusterKind : "AnalysisTemplate";
                return node;
            }))));

    /// <summary>
    /// Arguments that come from a Secret (valueFrom.secretKeyRef), read with the operator's own credentials from the rollout's
    /// namespace; one it may not read, or that is missing, stays without a value, and the analysis says which and why.
    /// The values live in memory only: they reach a query or a URL, never the status.
    /// </summary>
    private ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> WithSecrets(string ns, ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> templates)
    {
        foreach (var (key, template) in templates)
        {
            if (!template.Args.Any(a => a.Secret is not null && a.Value is null))
            {
                continue;
            }

            var args = template.Args.Select(arg =>
            {
                if (arg.Secret is not { } secret || arg.Value is not null)
                {
                    return arg;
                }

                try
                {
                    var read = _client.CoreV1.ReadNamespacedSecret(secret.Name, ns);
                    return read.Data?.TryGetValue(secret.Key, out var bytes) == true ? arg with { Value = System.Text.Encoding.UTF8.GetString(bytes) } : arg;
                }
                catch (k8s.Autorest.HttpOperationException e)
                {
                    _logger.LogWarning("AnalysisTemplate {Template}: cannot read key {Key} of Secret {Namespace}/{Secret}: {Status}", key, secret.Key, ns, secret.Name, e.Response.StatusCode);
                    return arg;
                }
            }).ToImmutableArray();
            templates = templates.SetItem(key, template with { Args = args });
        }

        return templates;
    }

    public ValueTask DisposeAsync()
    {
        _queue.Dispose();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
