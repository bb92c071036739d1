using System.Globalization;
using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation.Tests;

/// <summary>Writes Deployment manifests as YAML and reads them through the real loader.</summary>
internal static class Manifests
{
    public static Rollout Deployment(
        string image,
        int replicas = 4,
        string strategy = "RollingUpdate",
        string? maxSurge = null,
        string? maxUnavailable = null,
        int minReadySeconds = 0,
        int progressDeadlineSeconds = 600,
        string? changeCause = null)
    {
        var rolling = strategy == "RollingUpdate" && (maxSurge ?? maxUnavailable) is not null
            ? $"    rollingUpdate:\n{(maxSurge is null ? "" : $"      maxSurge: {maxSurge}\n")}{(maxUnavailable is null ? "" : $"      maxUnavailable: {maxUnavailable}\n")}"
            : "";
        var cause = changeCause is null ? "" : $"  annotations:\n    kubernetes.io/change-cause: \"{changeCause}\"\n";
        var yaml = string.Create(CultureInfo.InvariantCulture, $"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            {cause}spec:
              replicas: {replicas}
              minReadySeconds: {minReadySeconds}
              progressDeadlineSeconds: {progressDeadlineSeconds}
              selector:
                matchLabels:
                  app: web
              strategy:
                type: {strategy}
            {rolling}  template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: web
                    image: {image}

            """);
        return Read(yaml);
    }

    public static Rollout Read(string yaml)
    {
        var loaded = ManifestLoader.Load(yaml, "test.yaml");
        loaded.Errors.ShouldBeEmpty();
        var (rollout, errors) = RolloutReader.Read(loaded.Objects.Single());
        errors.ShouldBeEmpty();
        return rollout!;
    }
}
