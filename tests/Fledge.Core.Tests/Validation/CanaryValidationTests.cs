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
    [InlineData("      trafficRouting: {}\n", "",
        "spec.strategy.canary.steps[2].setCanaryScale: Invalid value: \"{...}\": SetCanaryScale requires TrafficRouting to be set: without a router the canary's size is its weight; use setWeight, or add trafficRouting")]
    [InlineData("      trafficRouting: {}\n", "      scaleDownDelaySeconds: 5\n      trafficRouting: {}\n      dynamicStableScale: true\n",
        "spec.strategy.canary.dynamicStableScale: Invalid value: true: Canary dynamicStableScale cannot be used with scaleDownDelaySeconds: the stable revision is already scaled down with its traffic; remove one of them")]
    [InlineData("- pause: {}", "- setHeaderRoute: {name: testers, match: [{headerName: X-Canary, headerValue: {exact: yes}}]}",
        "spec.strategy.canary.steps[3].setHeaderRoute.name: Invalid value: \"testers\": Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes: add {name: testers} there")]
    [InlineData("trafficRouting: {}\n", "trafficRouting: {managedRoutes: [{name: t}]}\n", "")]
    [InlineData("- pause: {}", "- setHeaderRoute: {name: t, match: [{headerName: X-Canary, headerValue: {exact: yes, prefix: y}}]}\n      - pause: {}",
        "spec.strategy.canary.steps[3].setHeaderRoute.match[0].headerValue: Invalid value: \"several\": StringMatch match value must have exactly one of the following: exact, regex, prefix",
        "trafficRouting: {}\n", "trafficRouting: {managedRoutes: [{name: t}]}\n")]
    [InlineData("- pause: {}", "- setMirrorRoute: {name: t, percentage: 150, match: [{path: {regex: \"(\"}}]}",
        "spec.strategy.canary.steps[3].setMirrorRoute.percentage: Invalid value: 150: must be between 0 and 100",
        "trafficRouting: {}\n", "trafficRouting: {managedRoutes: [{name: t}]}\n")]
    [InlineData("      steps:\n", "      webhooks: [{name: gate, type: confirm-everything, url: \"http://127.0.0.1:9/x\"}]\n      steps:\n",
        "spec.strategy.canary.webhooks[0].type: Unsupported value: \"confirm-everything\": supported values: \"confirm-rollout\", \"pre-rollout\", \"confirm-promotion\", \"rollback\", \"post-rollout\", \"event\"")]
    [InlineData("      steps:\n", "      webhooks: [{name: gate, type: rollback, url: \"ftp://x\"}]\n      steps:\n",
        "spec.strategy.canary.webhooks[0].url: Invalid value: \"ftp://x\": must be an absolute http or https URL")]
    [InlineData("- pause: {}", "- experiment: {templates: [{name: canary, specRef: newest}]}",
        "spec.strategy.canary.steps[3].experiment.templates[0].specRef: Unsupported value: \"newest\": supported values: \"stable\", \"canary\"")]
    [InlineData("- pause: {}", "- experiment: {duration: soon, templates: [{name: canary, specRef: canary}]}",
        "spec.strategy.canary.steps[3].experiment.duration: Invalid value: \"soon\": must be a duration such as 30s, 5m or 1h")]
    [InlineData("- pause: {}", "- experiment: {templates: [{name: canary, specRef: canary, weight: 10}]}",
        "spec.strategy.canary.steps[3].experiment.templates[0].weight: Invalid value: 10: Fledge does not route a share of traffic to an experiment's template; its replicas get traffic from the Services that select them (give it labels of its own with metadata.labels and a Service selecting them)")]
    [InlineData("- pause: {}", "- experiment: {templates: [{name: a, specRef: canary}, {name: a, specRef: stable}]}",
        "spec.strategy.canary.steps[3].experiment.templates[1].name: Duplicate value: \"a\"")]
    [InlineData("- pause: {}", "- experiment: {templates: [{name: p, specRef: canary, selector: {matchLabels: {app: x}}, metadata: {labels: {app: y}}}]}",
        "spec.strategy.canary.steps[3].experiment.templates[0].selector: Invalid value: \"{...}\": `selector` does not match template `labels`: write the same labels in metadata.labels")]
    [InlineData("- pause: {}", "- experiment: {templates: [{name: c, specRef: canary}], analyses: [{name: a}]}",
        "spec.strategy.canary.steps[3].experiment.analyses[0].templateName: Required value")]
    [InlineData("- pause: {}", "- experiment: {}",
        "spec.strategy.canary.steps[3].experiment.templates: Required value: name what to run: templates: [{name: baseline, specRef: stable}, {name: canary, specRef: canary}]")]
    public void Read_InvalidCanary_ReportsTheField(string replace, string by, string expected, string? alsoReplace = null, string? alsoBy = null)
    {
        var yaml = Valid.Replace(replace, by, StringComparison.Ordinal);
        yaml = alsoReplace is null ? yaml : yaml.Replace(alsoReplace, alsoBy, StringComparison.Ordinal);
        yaml.ShouldNotBe(Valid);

        var errors = Read(yaml).Errors;
        if (expected.Length == 0)
        {
            errors.ShouldBeEmpty();
        }
        else
        {
            errors.ShouldContain(expected);
        }
    }

    [Fact]
    public void Read_HeaderAndMirrorRoutes_AreActiveOnceTheCanaryPassesThemAndEndWithIt()
    {
        var yaml = Valid.Replace("trafficRouting: {}", "trafficRouting: {managedRoutes: [{name: h}, {name: m}]}", StringComparison.Ordinal).Replace(
            "      - pause: {}\n",
            "      - setHeaderRoute: {name: h, match: [{headerName: X-Canary, headerValue: {prefix: \"y\"}}]}\n      - setMirrorRoute: {name: m, match: [{method: {exact: GET}}]}\n"
            + "      - pause: {}\n      - setHeaderRoute: {name: h}\n      - pause: {}\n", StringComparison.Ordinal);
        var (rollout, errors) = Read(yaml);
        errors.ShouldBeEmpty();
        var canary = rollout!.Spec.Strategy.Canary!;
        var running = CanaryStatus.Initial with { StableReplicaSet = "web-1", CanaryReplicaSet = "web-2" };

        Fledge.Core.Planning.CanaryRoutes.Active(canary, running with { CurrentStepIndex = 3 }).IsEmpty.ShouldBeTrue("not reached yet");
        var paused = Fledge.Core.Planning.CanaryRoutes.Active(canary, running with { CurrentStepIndex = 6 });
        paused.Headers.ShouldHaveSingleItem().Match.ShouldHaveSingleItem().Value.Matches("yes").ShouldBeTrue();
        paused.Mirrors.ShouldHaveSingleItem().Percentage.ShouldBe(100, "Argo's default");
        Fledge.Core.Planning.CanaryRoutes.Active(canary, running with { CurrentStepIndex = 8 }).Headers.ShouldBeEmpty("a step of the same name without a match removes the route");
        Fledge.Core.Planning.CanaryRoutes.Active(canary, running with { CurrentStepIndex = 6, Aborted = true }).IsEmpty.ShouldBeTrue("an abort ends every route");
    }

    [Theory]
    [InlineData("yes", null, null, "yes", true)]
    [InlineData("yes", null, null, "yes!", false)]
    [InlineData(null, "Moz", null, "Mozilla/5.0", true)]
    [InlineData(null, "Moz", null, "moz", false)]
    [InlineData(null, null, "Mozilla(.*)", "Mozilla/5.0", true)]
    [InlineData(null, null, "tester/[0-9]+", "tester/42b", false)]
    public void StringMatch_IsExactPrefixOrAWholeValueRegex(string? exact, string? prefix, string? regex, string value, bool matches) =>
        new StringMatch(exact, prefix, regex).Matches(value).ShouldBe(matches);

    [Fact]
    public void Read_Webhooks_BecomeGatesAroundTheStepsAndNotifications()
    {
        var (rollout, errors) = Read(Valid.Replace("      steps:\n", """
                  webhooks:
                  - {name: approve, type: confirm-rollout, url: "http://127.0.0.1:9/a"}
                  - {name: load, type: pre-rollout, url: "http://127.0.0.1:9/b", retries: 2}
                  - {name: sign-off, type: confirm-promotion, url: "http://127.0.0.1:9/c"}
                  - {name: panic, type: rollback, url: "http://127.0.0.1:9/d"}
                  - {name: chat, type: event, url: "http://127.0.0.1:9/e"}
                  steps:

            """, StringComparison.Ordinal));

        errors.ShouldBeEmpty();
        var canary = rollout!.Spec.Strategy.Canary!;
        canary.Steps.Select(s => s.Describe()).ShouldBe(
            ["analysis: webhook approve", "analysis: webhook load", "setWeight: 20", "pause: 90s", "setCanaryScale: 2 replicas", "pause (until promoted)", "analysis: webhook sign-off"]);
        canary.Analysis!.Inline.ShouldHaveSingleItem().Name.ShouldBe("panic");
        canary.Notifications.ShouldHaveSingleItem().Name.ShouldBe("chat");
        ((AnalysisStep)canary.Steps[1]).Analysis.Inline[0].FailureLimit.ShouldBe(2, "pre-rollout fails past its retries");
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
