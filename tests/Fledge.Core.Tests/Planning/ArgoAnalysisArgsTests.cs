using Fledge.Core.Analysis;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Planning;

/// <summary>Argo's analysis arguments as written: fieldRef, podTemplateHashValue, a ClusterAnalysisTemplate, a Secret's key.</summary>
public sealed class ArgoAnalysisArgsTests
{
    private const string Files = """
        apiVersion: argoproj.io/v1alpha1
        kind: ClusterAnalysisTemplate
        metadata:
          name: shared
        spec:
          args:
          - name: region
          - name: stable-hash
          - name: latest-hash
          - name: token
            valueFrom:
              secretKeyRef: {name: api, key: token}
          metrics:
          - name: ok
            provider:
              web:
                url: "http://metrics.example/{{args.region}}/{{args.stable-hash}}/{{args.latest-hash}}"
                headers: [{key: Authorization, value: "Bearer {{args.token}}"}]
                timeoutSeconds: 20
                jsonPath: "{$.ok}"
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata:
          name: web
          labels: {region: eu-west}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          strategy:
            canary:
              steps:
              - analysis:
                  templates:
                  - templateName: shared
                    clusterScope: true
                  args:
                  - name: region
                    valueFrom:
                      fieldRef: {fieldPath: "metadata.labels['region']"}
                  - name: stable-hash
                    valueFrom: {podTemplateHashValue: Stable}
                  - name: latest-hash
                    valueFrom: {podTemplateHashValue: Latest}
                  - name: token
                    value: from-the-rollout
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: web:v1
        """;

    private static (Rollout Rollout, Dictionary<string, AnalysisTemplate> Templates) Read(string yaml)
    {
        var loaded = ManifestLoader.Load(yaml, "argo.yaml");
        loaded.Errors.ShouldBeEmpty();
        var templates = new Dictionary<string, AnalysisTemplate>();
        Rollout? rollout = null;
        foreach (var obj in loaded.Objects)
        {
            if (obj.Resource is AnalysisTemplateResource)
            {
                var (template, errors) = AnalysisTemplateReader.Read(obj);
                errors.ShouldBeEmpty();
                templates[template!.Name] = template;
            }
            else
            {
                var (read, errors) = RolloutReader.Read(obj);
                errors.ShouldBeEmpty();
                rollout = read;
            }
        }

        return (rollout!, templates);
    }

    [Fact]
    public void Args_AreFilledFromTheRolloutsMetadataAndItsRevisions_FromAClusterAnalysisTemplate()
    {
        var (rollout, templates) = Read(Files);
        templates.Keys.ShouldBe(["ClusterAnalysisTemplate/shared"]);
        var step = (AnalysisStep)rollout.Spec.Strategy.Canary!.Steps[0];
        var status = CanaryStatus.Initial with { StableReplicaSet = "web-6b8f9c", CanaryReplicaSet = "web-77d4a1" };

        var (metrics, errors) = CanaryAnalysis.Resolve(step.Analysis, templates, status);

        errors.ShouldBeEmpty();
        var settings = metrics.ShouldHaveSingleItem().Provider;
        settings.Setting("url").ShouldBe("http://metrics.example/eu-west/6b8f9c/77d4a1");
        settings.Setting("headers").ShouldContain("Bearer from-the-rollout");
        settings.Setting("timeoutSeconds").ShouldBe("20");
    }

    [Fact]
    public void SecretArgument_WithoutAValue_SaysWhereItComesFromAndWhatToDoOnOneHost()
    {
        var (rollout, templates) = Read(Files.Replace("          - name: token\n            value: from-the-rollout\n", "", StringComparison.Ordinal));
        var step = (AnalysisStep)rollout.Spec.Strategy.Canary!.Steps[0];

        var (_, errors) = CanaryAnalysis.Resolve(step.Analysis, templates, CanaryStatus.Initial);

        errors.ShouldHaveSingleItem().ShouldContain("args.token comes from key \"token\" of Secret \"api\"");
    }

    [Fact]
    public void ClusterScope_NamesTheClusterTemplateNotANamespacedOneOfTheSameName()
    {
        var (rollout, _) = Read(Files);
        var step = (AnalysisStep)rollout.Spec.Strategy.Canary!.Steps[0];

        var (_, errors) = CanaryAnalysis.Resolve(step.Analysis, new Dictionary<string, AnalysisTemplate>(), CanaryStatus.Initial);

        errors.ShouldHaveSingleItem().ShouldStartWith("ClusterAnalysisTemplate \"shared\" not found");
    }
}
