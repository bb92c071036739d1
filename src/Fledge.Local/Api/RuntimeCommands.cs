using System.Globalization;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using Fledge.Core.Validation;
using Fledge.Local.Platform;
using Fledge.Local.Replicas;
using Fledge.Local.Services;
using Fledge.Local.Store;
using k8s;
using k8s.Models;

namespace Fledge.Local.Api;

/// <summary>
/// What the control API can ask of the runtime: apply manifests, read objects, and the rollout verbs
/// (pause, resume, restart, undo, scale, set image). Bad input changes nothing and names the fix.
/// </summary>
internal sealed partial class RuntimeCommands(
    LocalPlatform platform,
    Supervisor supervisor,
    ServiceManager services,
    RolloutController controller,
    StateStore store,
    Fledge.Metrics.MetricProviders providers,
    TimeProvider time,
    int maxReplicas)
{
    /// <summary>One host's limit on a rollout's (or a track's) replicas: Kubernetes' rules allow far more than one machine runs.</summary>
    private string? OverHostLimit(int? replicas, string field) => replicas > maxReplicas
        ? $"{field}: Invalid value: {replicas}: one host runs at most {maxReplicas} replicas of a rollout; raise `fledge serve --max-replicas`, or run it on Kubernetes"
        : null;

    public async Task<ApplyResponse> ApplyAsync(ApplyRequest request)
    {
        var errors = new List<string>();
        var rollouts = new List<(ManifestObject Source, RolloutResource Resource)>();
        var serviceObjects = new List<V1Service>();
        var templates = new List<Core.Analysis.AnalysisTemplate>();
        var canaryDeployments = new List<(ManifestObject Source, CanaryDeploymentResource Resource)>();
        var adopted = new List<string>();
        var following = new List<string>();
        var loadedSources = request.Sources.Select(source => ManifestLoader.Load(source.Content, source.Name)).ToList();
        // A workloadRef names a Deployment of this apply, or one the runtime runs.
        var deployments = WorkloadRefs.DeploymentsOf(loadedSources.SelectMany(l => l.Objects));
        // Rollouts whose workloadRef names a Deployment of their own name: that Deployment is their template, not a workload.
        var takingOver = loadedSources.SelectMany(l => l.Objects)
            .Where(o => o.Resource is RolloutResource { Spec.WorkloadRef.Name: { } name } && name == o.Name).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        RolloutResource? DeploymentNamed(string name) => deployments.GetValueOrDefault(name)
            ?? (platform.Find(name) is { Kind: "Deployment" } running ? running.CopyManifest() : null);
        foreach (var loaded in loadedSources)
        {
            errors.AddRange(loaded.Errors.Select(e => e.ToString()));
            foreach (var obj in loaded.Objects)
            {
                switch (obj.Resource)
                {
                    case V1Deployment when takingOver.Contains(obj.Name):
                        // Argo's migration file: the Rollout of the same name takes this Deployment's template and its place
                        // (one host runs one workload per name), adopting its replica set so no pod is replaced.
                        errors.AddRange(RolloutReader.Read(obj).Errors.Select(e => e.ToString()));
                        adopted.Add(obj.Name);
                        break;
                    case RolloutResource or V1Deployment:
                        var (resource, (read, readErrors)) = RolloutReader.ReadResource(obj, DeploymentNamed);
                        errors.AddRange(readErrors.Select(e => obj.Error(e.Field, e.ToString()).ToString()));
                        if (OverHostLimit(read?.Spec.Replicas, "spec.replicas") is { } tooMany)
                        {
                            errors.Add(obj.Error("spec.replicas", tooMany).ToString());
                        }

                        rollouts.Add((obj, resource));
                        break;
                    case AnalysisTemplateResource when obj.Kind == AnalysisTemplateReader.RunKind:
                        errors.Add($"{obj.Source}:{obj.Line}: {obj.Display}: {AnalysisTemplateReader.RunAdvice}");
                        break;
                    case AnalysisTemplateResource:
                        var (template, templateErrors) = AnalysisTemplateReader.Read(obj);
                        errors.AddRange(templateErrors.Select(e => e.ToString()));
                        if (template is not null)
                        {
                            templates.Add(template);
                        }

                        break;
                    case CanaryDeploymentResource canaryDeployment:
                        var (cd, cdErrors) = CanaryDeploymentReader.Read(obj);
                        errors.AddRange(cdErrors.Select(e => e.ToString()));
                        foreach (var (field, replicas) in new[] { ("spec.tracks.canary.replicas", cd?.Canary.Replicas), ("spec.tracks.stable.replicas", cd?.Stable.Replicas) })
                        {
                            if (OverHostLimit(replicas, field) is { } trackTooLarge)
                            {
                                errors.Add(obj.Error(field, trackTooLarge).ToString());
                            }
                        }

                        canaryDeployments.Add((obj, canaryDeployment));
                        break;
                    case V1Service service:
                        errors.AddRange(ServiceValidator.Validate(service).Select(e => obj.Error(e.Field, e.ToString()).ToString()));
                        serviceObjects.Add(service);
                        break;
                    default:
                        errors.Add($"{obj.Source}:{obj.Line}: {obj.Display}: {obj.Kind} objects are managed by their rollout; apply the Rollout or Deployment instead");
                        break;
                }
            }
        }

        if (errors.Count == 0)
        {
            await platform.Gate.WaitAsync();
            try
            {
                foreach (var (source, _) in rollouts)
                {
                    if (platform.Find(source.Name) is { } existing && LocalPlatform.OwnerOf(existing) is { } owner)
                    {
                        errors.Add($"{source.Source}:{source.Line}: {source.Display}: is a track of CanaryDeployment \"{owner}\"; change the CanaryDeployment instead");
                    }
                }
            }
            finally
            {
                platform.Gate.Release();
            }
        }

        if (errors.Count > 0)
        {
            throw new CommandException(400, errors);
        }

        var results = new List<ApplyResult>();
        var now = time.GetUtcNow();
        await platform.Gate.WaitAsync();
        try
        {
            // All of a file's rollouts, CanaryDeployments and templates are stored, or none (a full disk changes nothing).
            platform.Atomically(() =>
            {
                foreach (var template in templates)
                {
                    results.Add(new ApplyResult("AnalysisTemplate", template.Name, platform.PutTemplate(template, now)));
                }

                foreach (var (source, resource) in rollouts)
                {
                    results.Add(new ApplyResult(source.Kind, source.Name, ApplyRollout(source, resource, now)));
                }

                results.AddRange(adopted.Select(name => new ApplyResult("Deployment", name, "adopted by Rollout (workloadRef)")));
                foreach (var (source, resource) in rollouts.Where(r => r.Source.Resource is V1Deployment))
                {
                    following.AddRange(FollowDeployment(resource, now));
                }

                foreach (var (source, resource) in canaryDeployments)
                {
                    results.Add(new ApplyResult(source.Kind, source.Name, ApplyCanaryDeployment(resource, now)));
                }

                return results;
            });
        }
        finally
        {
            platform.Gate.Release();
        }

        foreach (var service in serviceObjects)
        {
            results.Add(new ApplyResult("Service", service.Metadata.Name, await services.ApplyAsync(service, now)));
        }

        foreach (var name in rollouts.Select(r => r.Source.Name).Concat(following))
        {
            controller.Changed(name);
        }

        foreach (var (source, _) in canaryDeployments)
        {
            controller.Changed(source.Name, canaryDeployment: true);
        }

        return new ApplyResponse(results);
    }

    /// <summary>
    /// The rollouts whose workloadRef names this Deployment take its template again (a new revision when it changed), as
    /// Argo's controller follows the Deployment it references. Their names, to reconcile.
    /// </summary>
    private List<string> FollowDeployment(RolloutResource deployment, DateTimeOffset now)
    {
        var changed = new List<string>();
        var name = deployment.Metadata!.Name;
        foreach (var record in platform.Rollouts.Where(r => r.Name != name && r.Manifest.Spec?.WorkloadRef?.Name == name).ToList())
        {
            var resolved = WorkloadRefs.Resolve(record.CopyManifest(), deployment);
            if (KubernetesJson.Serialize(resolved.Spec?.Template) == KubernetesJson.Serialize(record.Manifest.Spec?.Template)
                || RolloutReader.FromResource(KubernetesJson.Deserialize<RolloutResource>(KubernetesJson.Serialize(resolved)), record.ApiVersion, record.Kind).Errors.Count > 0)
            {
                continue;
            }

            record.Replace(resolved);
            platform.Put(record, now);
            changed.Add(record.Name);
        }

        return changed;
    }

    private string ApplyRollout(ManifestObject source, RolloutResource resource, DateTimeOffset now)
    {
        var existing = platform.Find(source.Name);
        if (existing is null)
        {
            resource.Metadata!.Generation = 1;
            platform.Put(new RolloutRecord(source.ApiVersion, source.Kind, resource, RolloutStatus.Empty, now), now);
            return "created";
        }

        if (existing.Kind == "Deployment" && source.Kind == "Rollout" && resource.Spec?.WorkloadRef?.Name == source.Name)
        {
            // Argo's migration on one host: the Rollout takes the place of the Deployment it names, with its replica sets
            // and status, so the replicas that run its template are adopted and none is replaced.
            resource.Metadata!.Generation = existing.Generation + 1;
            platform.Put(new RolloutRecord(source.ApiVersion, source.Kind, resource, existing.Status, existing.CreatedAt), now);
            return "configured (took over Deployment)";
        }

        if (existing.Manifest.Metadata?.Annotations?.TryGetValue(Annotations.Revision, out var revision) == true)
        {
            (resource.Metadata!.Annotations ??= new Dictionary<string, string>())[Annotations.Revision] = revision;
        }

        if (KubernetesJson.Serialize(resource.Spec) == KubernetesJson.Serialize(existing.Manifest.Spec)
            && KubernetesJson.Serialize(resource.Metadata?.Annotations) == KubernetesJson.Serialize(existing.Manifest.Metadata?.Annotations))
        {
            return "unchanged";
        }

        existing.Replace(resource);
        platform.Put(existing, now);
        return "configured";
    }

    public async Task<T> ReadAsync<T>(Func<T> read)
    {
        await platform.Gate.WaitAsync();
        try
        {
            return read();
        }
        finally
        {
            platform.Gate.Release();
        }
    }

    public Task<RolloutList> RolloutsAsync() => ReadAsync(() => new RolloutList(platform.Rollouts.OrderBy(r => r.Name, StringComparer.Ordinal).Select(Summary).ToList()));

    public Task<RolloutDetail> DescribeAsync(string name) => ReadAsync(() =>
    {
        var record = Require(name);
        return RolloutViews.Detail(Summary(record), record.Rollout.Spec, ReplicaSets(name), supervisor.Replicas(),
            store.Events($"{record.Kind}/{name}", 20).Select(e => new EventSummary(e.At, e.Type, e.Reason, e.Message)));
    });

    public Task<ReplicaSetList> ReplicaSetListAsync() =>
        ReadAsync(() => new ReplicaSetList(platform.Rollouts.SelectMany(r => ReplicaSets(r.Name)).ToList()));

    public PodList Pods() => new(supervisor.Replicas().OrderBy(p => p.Name, StringComparer.Ordinal).ToList());

    public ServiceList Services() => new(services.List());

    public Task<HistoryList> HistoryAsync(string name, long? revision) => ReadAsync(() =>
    {
        Require(name);
        return RolloutViews.History(name, platform.ReplicaSetsOf(name), revision);
    });

    private RolloutRecord Require(string name) => platform.Find(name) ?? throw CommandException.NotFound("Rollout", name);

    private List<ReplicaSetSummary> ReplicaSets(string rollout) => RolloutViews.ReplicaSets(rollout, platform.Observe(rollout, time.GetUtcNow()).ReplicaSets);

    private RolloutSummary Summary(RolloutRecord record) => RolloutViews.Summary(
        record.Name, record.Kind, record.Rollout, record.CreatedAt, platform.ReplicaSetsOf(record.Name), platform.Templates, Problems(record.Name), time.GetUtcNow());

    private List<string> Problems(string rollout) => RolloutViews.Problems(rollout, supervisor.Replicas());
}
