using System.Globalization;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using Fledge.Local.Platform;
using k8s;
using k8s.Models;

namespace Fledge.Local.Api;

/// <summary>
/// The rollout verbs: pause, resume, scale, restart, set image, undo, promote / abort / retry, and delete. Each change
/// is stored (all of it or nothing) before the rollout is reconciled again.
/// </summary>
internal sealed partial class RuntimeCommands
{
    public Task<MessageResponse> PauseAsync(string name, bool paused) => ChangeAsync(name, (record, manifest) =>
    {
        if (record.Rollout.Spec.Paused == paused)
        {
            return paused ? $"{record.Kind.ToLowerInvariant()} \"{name}\" is already paused" : $"{record.Kind.ToLowerInvariant()} \"{name}\" is not paused";
        }

        manifest.Spec!.Paused = paused;
        return $"{record.Kind.ToLowerInvariant()} \"{name}\" {(paused ? "paused" : "resumed")}";
    });

    public Task<MessageResponse> ScaleAsync(string name, int replicas) => ChangeAsync(name, (record, manifest) =>
    {
        if (replicas < 0)
        {
            throw new CommandException(400, $"--replicas: Invalid value: {replicas}: must be greater than or equal to 0");
        }

        if (OverHostLimit(replicas, "--replicas") is { } tooMany)
        {
            throw new CommandException(400, tooMany);
        }

        manifest.Spec!.Replicas = replicas;
        return $"{record.Kind.ToLowerInvariant()} \"{name}\" scaled to {replicas}";
    });

    public Task<MessageResponse> RestartAsync(string name) => ChangeAsync(name, (record, manifest) =>
    {
        if (record.Rollout.Spec.Paused)
        {
            throw new CommandException(409, $"can't restart paused {record.Kind.ToLowerInvariant()} \"{name}\" (run 'fledge rollout resume {name}' first)");
        }

        var template = manifest.Spec!.Template!;
        template.Metadata ??= new V1ObjectMeta();
        (template.Metadata.Annotations ??= new Dictionary<string, string>())["kubectl.kubernetes.io/restartedAt"] =
            time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);
        return $"{record.Kind.ToLowerInvariant()} \"{name}\" restarted";
    });

    public Task<MessageResponse> SetImageAsync(string name, ImageRequest request) => ChangeAsync(name, (record, manifest) =>
    {
        var containers = manifest.Spec!.Template!.Spec!.Containers;
        var container = containers.FirstOrDefault(c => c.Name == request.Container)
            ?? throw new CommandException(400, $"unable to find container named \"{request.Container}\"; the containers of \"{name}\" are {string.Join(", ", containers.Select(c => c.Name))}");
        if (string.IsNullOrWhiteSpace(request.Image))
        {
            throw new CommandException(400, "the image must not be empty: write CONTAINER=IMAGE");
        }

        container.Image = request.Image;
        return $"{record.Kind.ToLowerInvariant()} \"{name}\" image updated";
    });

    public Task<MessageResponse> UndoAsync(string name, long toRevision) => ChangeAsync(name, (record, manifest) =>
    {
        var result = Rollback.Undo(record.Rollout, platform.ReplicaSetsOf(name).ToList(), toRevision);
        if (result.Failed)
        {
            throw new CommandException(409, result.Message);
        }

        if (result.Rollout is not { } rolledBack)
        {
            return $"{record.Kind.ToLowerInvariant()} \"{name}\" {result.Message}";
        }

        manifest.Spec!.Template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(rolledBack.Spec.Template.Spec));
        manifest.Metadata!.Annotations = new Dictionary<string, string>(rolledBack.Annotations);
        return $"{record.Kind.ToLowerInvariant()} \"{name}\" rolled back";
    });

    /// <summary>promote [--full], abort, retry: recorded in the canary's status, acted on by the next pass.</summary>
    public async Task<MessageResponse> CanaryAsync(string name, CanaryRequest request)
    {
        string message;
        await platform.Gate.WaitAsync();
        try
        {
            var record = Require(name);
            var (status, text) = CanaryRequests.Apply(record.Rollout, request, time.GetUtcNow());
            if (status is null)
            {
                throw new CommandException(409, text);
            }

            platform.Atomically(() =>
            {
                record.SetStatus(record.Status with { Canary = status });
                platform.Put(record, time.GetUtcNow());
                return true;
            });
            message = text;
        }
        finally
        {
            platform.Gate.Release();
        }

        controller.Changed(name);
        return new MessageResponse(message);
    }

    public async Task<MessageResponse> DeleteAsync(string kind, string name)
    {
        switch (RuntimeKinds.Find(kind)?.Plural)
        {
            case "rollouts":
                string deleted;
                await platform.Gate.WaitAsync();
                try
                {
                    deleted = Require(name).Kind.ToLowerInvariant();
                    platform.Atomically(() =>
                    {
                        platform.Delete(name);
                        return true;
                    });
                }
                finally
                {
                    platform.Gate.Release();
                }

                return new MessageResponse($"{deleted} \"{name}\" deleted");
            case "canarydeployments":
                await platform.Gate.WaitAsync();
                try
                {
                    if (platform.FindCanaryDeployment(name) is null)
                    {
                        throw CommandException.NotFound("CanaryDeployment", name);
                    }

                    platform.Atomically(() =>
                    {
                        platform.DeleteCanaryDeployment(name);
                        return true;
                    });
                }
                finally
                {
                    platform.Gate.Release();
                }

                return new MessageResponse($"canarydeployment \"{name}\" deleted");
            case "analysistemplates":
                await platform.Gate.WaitAsync();
                try
                {
                    return platform.Atomically(() => platform.DeleteTemplate(name))
                        ? new MessageResponse($"analysistemplate \"{name}\" deleted")
                        : throw CommandException.NotFound("AnalysisTemplate", name);
                }
                finally
                {
                    platform.Gate.Release();
                }

            case "services":
                return await services.DeleteAsync(name)
                    ? new MessageResponse($"service \"{name}\" deleted")
                    : throw CommandException.NotFound("Service", name);
            default:
                throw new CommandException(400, RuntimeKinds.Find(kind) is { } known
                    ? $"{known.Plural} are not deleted on their own: delete their rollout (or CanaryDeployment), and they go with it"
                    : RuntimeKinds.Unknown(kind, [RuntimeKinds.Rollouts, RuntimeKinds.CanaryDeployments, RuntimeKinds.AnalysisTemplates, RuntimeKinds.Services]));
        }
    }

    private async Task<MessageResponse> ChangeAsync(string name, Func<RolloutRecord, RolloutResource, string> change)
    {
        string message;
        await platform.Gate.WaitAsync();
        try
        {
            var record = Require(name);
            if (LocalPlatform.OwnerOf(record) is { } owner)
            {
                // The CanaryDeployment would put its own template and replica count back on its next pass.
                throw new CommandException(409, $"deployment \"{name}\" is a track of CanaryDeployment \"{owner}\"; change the CanaryDeployment instead");
            }

            var manifest = record.CopyManifest();
            message = change(record, manifest);
            var (_, errors) = RolloutReader.FromResource(KubernetesJson.Deserialize<RolloutResource>(KubernetesJson.Serialize(manifest)), record.ApiVersion, record.Kind);
            if (errors.Count > 0)
            {
                throw new CommandException(400, errors.Select(e => e.ToString()).ToList());
            }

            platform.Atomically(() =>
            {
                record.Replace(manifest);
                platform.Put(record, time.GetUtcNow());
                return true;
            });
        }
        finally
        {
            platform.Gate.Release();
        }

        controller.Changed(name);
        return new MessageResponse(message);
    }
}
