using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;
using k8s.Models;

namespace Fledge.Core.Tests.Manifests;

public sealed class ManifestLoaderTests
{
    private static Rollout ReadRollout(string text, string source = "test.yaml")
    {
        var loaded = ManifestLoader.Load(text, source);
        loaded.Errors.ShouldBeEmpty();
        var (rollout, errors) = RolloutReader.Read(loaded.Objects.Single(RolloutReader.IsRollout));
        errors.ShouldBeEmpty();
        return rollout!;
    }

    [Fact]
    public void Load_FledgeRollout_ReadsRolloutResource()
    {
        var result = ManifestLoader.Load(SampleFiles.Read("hello-v1.yaml"), "hello-v1.yaml");

        result.Errors.ShouldBeEmpty();
        result.Objects.ShouldHaveSingleItem().Resource.ShouldBeOfType<RolloutResource>();
    }

    [Theory]
    [InlineData("workshop/app-recreate.yaml", "app-recreate", 5, StrategyType.Recreate)]
    [InlineData("workshop/app-rolling.yaml", "app-rolling", 5, StrategyType.RollingUpdate)]
    [InlineData("workshop/app-v1.yaml", "app-v1", 2, StrategyType.RollingUpdate)]
    [InlineData("workshop/app-v2.yaml", "app-v2", 2, StrategyType.RollingUpdate)]
    [InlineData("up-and-running/nginx-deployment.yaml", "nginx", 2, StrategyType.RollingUpdate)]
    public void Read_SeedDeployments_LoadUnchanged(string file, string name, int replicas, StrategyType type)
    {
        var rollout = ReadRollout(SampleFiles.Read(file), file);

        rollout.Name.ShouldBe(name);
        rollout.Kind.ShouldBe("Deployment");
        rollout.Spec.Replicas.ShouldBe(replicas);
        rollout.Spec.Strategy.Type.ShouldBe(type);
    }

    [Fact]
    public void Read_WorkshopService_LoadsAsService()
    {
        var loaded = ManifestLoader.LoadFile(SampleFiles.PathOf("workshop/app-service.yaml"));

        loaded.Errors.ShouldBeEmpty();
        loaded.Objects.ShouldHaveSingleItem().Resource.ShouldBeOfType<V1Service>().Spec.Selector["name"].ShouldBe("app");
    }

    [Fact]
    public void Read_AppsV1WithoutStrategy_GetsKubernetesDefaults()
    {
        var rollout = ReadRollout(SampleFiles.Read("workshop/app-v1.yaml"));

        rollout.Spec.Strategy.MaxSurge.ShouldBe(IntOrPercent.Percent(25));
        rollout.Spec.Strategy.MaxUnavailable.ShouldBe(IntOrPercent.Percent(25));
        rollout.Spec.RevisionHistoryLimit.ShouldBe(10);
        rollout.Spec.ProgressDeadlineSeconds.ShouldBe(600);
        rollout.Spec.MinReadySeconds.ShouldBe(0);
        rollout.Spec.Paused.ShouldBeFalse();
    }

    [Fact]
    public void Read_NoReplicas_DefaultsToOne()
    {
        var rollout = ReadRollout(SampleFiles.Read("workshop/app-v1.yaml").Replace("  replicas: 2\n", "", StringComparison.Ordinal));

        rollout.Spec.Replicas.ShouldBe(1);
    }

    [Fact]
    public void Read_ExtensionsV1Beta1_KeepsLegacyDefaultsAndNamesUnnamedContainerAfterImage()
    {
        var rollout = ReadRollout(SampleFiles.Read("up-and-running/nginx-deployment.yaml"));

        rollout.Spec.ProgressDeadlineSeconds.ShouldBeNull();
        rollout.Spec.RevisionHistoryLimit.ShouldBeNull();
        rollout.Spec.Template.Spec.Spec.Containers.Single().Name.ShouldBe("nginx");
        rollout.Spec.Template.Image.ShouldBe("nginx:1.7.12");
        rollout.Annotations[Annotations.Revision].ShouldBe("1");
    }

    [Fact]
    public void Load_MultiDocument_ReadsEveryObjectAndSkipsEmptyDocuments()
    {
        var text = SampleFiles.Read("workshop/app-v1.yaml") + "---\n---\n" + SampleFiles.Read("workshop/app-service.yaml") + "---\n" + SampleFiles.Read("workshop/app-v2.yaml");

        var loaded = ManifestLoader.Load(text, "all.yaml");

        loaded.Errors.ShouldBeEmpty();
        loaded.Objects.Select(o => o.Display).ShouldBe(["Deployment \"app-v1\"", "Service \"app-service\"", "Deployment \"app-v2\""]);
    }

    [Fact]
    public void Load_Json_ReadsLikeYaml()
    {
        const string json = """
            {"apiVersion": "fledge.io/v1alpha1", "kind": "Rollout",
             "metadata": {"name": "web"},
             "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web"}},
                      "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 0}},
                      "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:v1"}]}}}}
            """;

        var rollout = ReadRollout(json, "web.json");

        rollout.Spec.Replicas.ShouldBe(4);
        rollout.Spec.Strategy.MaxSurge.ShouldBe(IntOrPercent.Percent(50));
        rollout.Spec.Strategy.MaxUnavailable.ShouldBe(IntOrPercent.Count(0));
    }

    [Fact]
    public void Read_ArgoRollout_IsReadAsWrittenWithItsCanarySteps()
    {
        const string argo = """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata:
              name: rollouts-demo
            spec:
              replicas: 5
              selector:
                matchLabels: {app: rollouts-demo}
              template:
                metadata:
                  labels: {app: rollouts-demo}
                spec:
                  containers:
                  - name: rollouts-demo
                    image: argoproj/rollouts-demo:blue
              strategy:
                canary:
                  steps:
                  - setWeight: 20
                  - pause: {}
            """;

        var rollout = ReadRollout(argo, "argo.yaml");

        rollout.Kind.ShouldBe("Rollout");
        rollout.Spec.Strategy.Type.ShouldBe(StrategyType.Canary);
        rollout.Spec.Strategy.Canary!.Steps.Length.ShouldBe(2);
    }

    [Fact]
    public void Load_StatusAsGetPrintsIt_LoadsWithoutErrorKeepingTheCountsPlanReads()
    {
        var printed = SampleFiles.Read("hello-v1.yaml") + "status:\n  observedGeneration: 3\n  phase: Healthy\n  canary: {weight: 20, analysis: {name: x}}\n";

        var rollout = ReadRollout(printed);

        rollout.Status.ObservedGeneration.ShouldBe(3);
    }

    [Fact]
    public void Load_KubectlList_ExpandsItems()
    {
        const string list = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: apps/v1
              kind: ReplicaSet
              metadata:
                name: web-abc
              spec:
                replicas: 2
                selector:
                  matchLabels: {app: web}
                template:
                  metadata:
                    labels: {app: web}
                  spec:
                    containers: [{name: web, image: web:v1}]
            - apiVersion: v1
              kind: Service
              metadata:
                name: web
              spec:
                selector: {app: web}
            """;

        var loaded = ManifestLoader.Load(list, "state.yaml");

        loaded.Errors.ShouldBeEmpty();
        loaded.Objects.Select(o => o.Kind).ShouldBe(["ReplicaSet", "Service"]);
    }

    [Fact]
    public void Load_ErrorInSecondDocument_ReportsItsLineAndKeepsTheFirst()
    {
        var text = SampleFiles.Read("workshop/app-v1.yaml") + "---\n" + SampleFiles.Read("workshop/app-v2.yaml").Replace("replicas: 2", "replicas: two", StringComparison.Ordinal);

        var loaded = ManifestLoader.Load(text, "both.yaml");

        loaded.Objects.ShouldHaveSingleItem().Name.ShouldBe("app-v1");
        var error = loaded.Errors.ShouldHaveSingleItem();
        error.Line.ShouldBe(28); // 21 lines of app-v1, the separator, then line 6 of app-v2
        error.Message.ShouldStartWith("Deployment \"app-v2\": spec.replicas: Invalid value: \"two\"");
    }

    [Fact]
    public void LoadFile_Missing_SaysItCannotBeRead()
    {
        var loaded = ManifestLoader.LoadFile("/nonexistent/app.yaml");

        loaded.Errors.ShouldHaveSingleItem().Message.ShouldStartWith("cannot read the file");
    }

    [Fact]
    public void Load_EmptyFile_SaysItHoldsNoObjects() =>
        ManifestLoader.Load("# nothing here\n", "empty.yaml").Errors.ShouldHaveSingleItem().Message.ShouldBe("the file holds no objects");
}
