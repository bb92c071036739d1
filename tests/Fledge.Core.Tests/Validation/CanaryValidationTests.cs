using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Validation;

public sealed class CanaryValidationTests
{
    private const string Valid = """
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata:
          name: web
        spec:
          replicas: 4
          selector:
            matchLabels: {app: web}
          strategy:
            canary:
              canaryService: web-canary
              stableService: web
              trafficRouting: {}
              steps:
              - setWeight: 20
              - pause: {duration: 90s}
              - setCanaryScale: {replicas: 2}
              - pause: {}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: web:v1
        """;

    private static (Rollout? Rollout, List<string> Errors) Read(string yaml)
    {
        var loaded = ManifestLoader.Load(yaml, "canary.yaml");
        var errors = loaded.Errors.Select(e => e.Message).ToList();
        Rollout? rollout = null;
        foreach (var obj in loaded.Objects)
        {
            var (read, readErrors) = RolloutReader.Read(obj);
            rollout = read;
            errors.AddRange(readErrors.Select(e => e.Message[(e.Message.IndexOf("\": ", StringComparison.Ordinal) + 3)..]));
        }

        return (rollout, errors);
    }

    [Fact]
    public void Read_ArgoStyleCanary_ReadsStepsAndDefaults()
    {
        var (rollout, errors) = Read(Valid);

        errors.ShouldBeEmpty();
        var canary = rollout!.Spec.Strategy.Canary!;
        rollout.Spec.Strategy.Type.ShouldBe(StrategyType.Canary);
        canary.Steps.ShouldBe([new SetWeightStep(20), new PauseStep(TimeSpan.FromSeconds(90)), new SetCanaryScaleStep(2, null, false), new PauseStep(null)]);
        canary.TrafficRouted.ShouldBeTrue();
        canary.MaxSurge.ShouldBe(IntOrPercent.Percent(25));
        canary.AbortScaleDownDelaySeconds.ShouldBe(30);
        canary.ScaleDownDelaySeconds.ShouldBe(30);
    }

    [Theory]
    [InlineData("- setWeight: 20", "- setWeight: 120", "spec.strategy.canary.steps[0].setWeight: Invalid value: 120: must be between 0 and 100")]
    [InlineData("{duration: 90s}", "{duration: soon}", "spec.strategy.canary.steps[1].pause.duration: Invalid value: \"soon\": must be a number of seconds or a duration such as 30s, 5m or 1h")]
    [InlineData("- setCanaryScale: {replicas: 2}", "- setCanaryScale: {}", "spec.strategy.canary.steps[2].setCanaryScale: Invalid value: \"{}\": set exactly one of replicas, weight or matchTrafficWeight: true")]
    [InlineData("canaryService: web-canary", "canaryService: web", "spec.strategy.canary.canaryService: Invalid value: \"web\": must differ from stableService")]
    [InlineData("      canaryService: web-canary\n", "", "spec.strategy.canary.canaryService: Required value: traffic routing splits requests between the stable and the canary Service: name both")]
    [InlineData("    canary:\n", "    type: RollingUpdate\n    canary:\n", "spec.strategy.type: Forbidden: may not be set together with spec.strategy.canary; remove one of them")]
    public void Read_InvalidCanary_ReportsTheField(string replace, string by, string expected)
    {
        var yaml = Valid.Replace(replace, by, StringComparison.Ordinal);
        yaml.ShouldNotBe(Valid);

        Read(yaml).Errors.ShouldBe([expected]);
    }
}

public sealed class BlueGreenValidationTests
{
    private const string Valid = """
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata:
          name: web
        spec:
          replicas: 3
          selector:
            matchLabels: {app: web}
          strategy:
            blueGreen:
              activeService: web
              previewService: web-preview
              previewReplicaCount: 1
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: web:v1
        """;

    private static List<string> Errors(string yaml)
    {
        var loaded = ManifestLoader.Load(yaml, "bg.yaml");
        return loaded.Errors.Select(e => e.Message)
            .Concat(loaded.Objects.SelectMany(o => RolloutReader.Read(o).Errors.Select(e => e.Message[(e.Message.IndexOf("\": ", StringComparison.Ordinal) + 3)..])))
            .ToList();
    }

    [Fact]
    public void Read_BlueGreen_GetsArgoDefaults()
    {
        var loaded = ManifestLoader.Load(Valid, "bg.yaml");
        var (rollout, errors) = RolloutReader.Read(loaded.Objects.Single());

        errors.ShouldBeEmpty();
        var blueGreen = rollout!.Spec.Strategy.BlueGreen!;
        rollout.Spec.Strategy.Type.ShouldBe(StrategyType.BlueGreen);
        blueGreen.AutoPromotionEnabled.ShouldBeTrue();
        blueGreen.ScaleDownDelaySeconds.ShouldBe(30);
        blueGreen.AbortScaleDownDelaySeconds.ShouldBe(30);
        blueGreen.PreviewReplicaCount.ShouldBe(1);
    }

    [Theory]
    [InlineData("      activeService: web\n", "", "spec.strategy.blueGreen.activeService: Required value: name the Service users call; it switches to the new revision at promotion")]
    [InlineData("previewService: web-preview", "previewService: web", "spec.strategy.blueGreen.previewService: Invalid value: \"web\": must differ from activeService")]
    [InlineData("previewReplicaCount: 1", "previewReplicaCount: 0", "spec.strategy.blueGreen.previewReplicaCount: Invalid value: 0: must be at least 1")]
    [InlineData("previewReplicaCount: 1", "autoPromotionEnabled: false\n      autoPromotionSeconds: 30", "spec.strategy.blueGreen.autoPromotionSeconds: Forbidden: may not be set when autoPromotionEnabled is false")]
    public void Read_InvalidBlueGreen_ReportsTheField(string replace, string by, string expected)
    {
        var yaml = Valid.Replace(replace, by, StringComparison.Ordinal);
        yaml.ShouldNotBe(Valid);

        Errors(yaml).ShouldBe([expected]);
    }
}
