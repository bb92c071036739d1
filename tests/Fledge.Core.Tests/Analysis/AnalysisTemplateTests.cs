using Fledge.Core.Analysis;
using Fledge.Core.Manifests;

namespace Fledge.Core.Tests.Analysis;

public sealed class AnalysisTemplateTests
{
    private const string Template = """
        apiVersion: argoproj.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: success-rate
        spec:
          args:
          - name: service
          - name: threshold
            value: "0.95"
          metrics:
          - name: success-rate
            interval: 1m
            count: 5
            initialDelay: 30s
            failureLimit: 1
            successCondition: result[0] >= {{args.threshold}}
            provider:
              prometheus:
                address: http://127.0.0.1:9090
                query: sum(rate(fledge_service_requests_total{service="{{args.service}}",code="2xx"}[1m])) / sum(rate(fledge_service_requests_total{service="{{args.service}}"}[1m]))
        """;

    private static (AnalysisTemplate? Template, List<string> Errors) Read(string yaml)
    {
        var loaded = ManifestLoader.Load(yaml, "template.yaml");
        var errors = loaded.Errors.Select(e => e.Message).ToList();
        AnalysisTemplate? template = null;
        foreach (var obj in loaded.Objects)
        {
            var (read, readErrors) = AnalysisTemplateReader.Read(obj);
            template = read;
            errors.AddRange(readErrors.Select(e => e.Message));
        }

        return (template, errors);
    }

    [Fact]
    public void Resolve_ArgsFromRolloutAndDefaults_FillsProviderAndConditions()
    {
        var (template, errors) = Read(Template);
        errors.ShouldBeEmpty();

        var (metrics, resolveErrors) = template!.Resolve(new Dictionary<string, string> { ["service"] = "hello-canary" });

        resolveErrors.ShouldBeEmpty();
        var metric = metrics.ShouldHaveSingleItem();
        metric.Provider.Kind.ShouldBe("prometheus");
        metric.Provider.Setting("query").ShouldContain("service=\"hello-canary\"");
        metric.SuccessCondition!.Text.ShouldBe("result[0] >= 0.95");
        metric.Interval.ShouldBe(TimeSpan.FromMinutes(1));
        metric.InitialDelay.ShouldBe(TimeSpan.FromSeconds(30));
        metric.Count.ShouldBe(5);
        metric.FailureLimit.ShouldBe(1);
        metric.ConsecutiveErrorLimit.ShouldBe(4);
    }

    [Fact]
    public void Resolve_MissingArgument_NamesItAndTheField()
    {
        var (template, _) = Read(Template);

        var (_, errors) = template!.Resolve(new Dictionary<string, string>());

        errors.ShouldContain(e => e.Contains("spec.metrics[0].provider.prometheus.query: args.service has no value", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("successCondition: result[0] >= {{args.threshold}}", "successCondition: result[0] >=> 1", "spec.metrics[0].successCondition: Invalid value")]
    [InlineData("interval: 1m", "interval: often", "spec.metrics[0].interval: Invalid value: \"often\"")]
    [InlineData("count: 5", "count: 0", "spec.metrics[0].count: Invalid value: \"0\": must be a whole number of at least 1")]
    [InlineData("prometheus:", "graphite:", "spec.metrics[0].provider: Unsupported value: \"graphite\"")]
    public void Read_InvalidTemplate_ReportsTheField(string replace, string by, string expected)
    {
        var yaml = Template.Replace(replace, by, StringComparison.Ordinal);
        yaml.ShouldNotBe(Template);

        Read(yaml).Errors.ShouldContain(e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ArgoAnalysisRunAsKubectlPrintsIt_IsItsMetricsWithItsArguments()
    {
        var run = """
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisRun
            metadata:
              name: guestbook-6c54544bf9-2-1
              labels: {rollout-type: Step, rollouts-pod-template-hash: 6c54544bf9}
              ownerReferences:
              - {apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: guestbook, uid: 1e8e5a0e, controller: true, blockOwnerDeletion: true}
            spec:
              args:
              - {name: service, value: guestbook}
              - {name: threshold, value: "0.95"}
              metrics:
              - name: success-rate
                interval: 5m
                successCondition: result[0] >= {{args.threshold}}
                provider:
                  prometheus: {address: "http://127.0.0.1:9090", query: "up{job=\"{{args.service}}\"}"}
            status:
              phase: Running
              startedAt: "2024-01-01T00:00:00Z"
              metricResults:
              - {name: success-rate, phase: Running, count: 1, successful: 1, measurements: [{phase: Successful, value: "[0.99]"}]}
            """;

        var (template, errors) = Read(run);

        errors.ShouldBeEmpty();
        template!.Name.ShouldBe("AnalysisRun/guestbook-6c54544bf9-2-1", "a run is told apart from a template of the same name");
        var (metrics, resolveErrors) = template.Resolve(new Dictionary<string, string>());
        resolveErrors.ShouldBeEmpty();
        metrics.ShouldHaveSingleItem().Provider.Setting("query").ShouldBe("up{job=\"guestbook\"}");
    }

    [Fact]
    public void Read_TemplateWithTerminate_IsRefused_OnlyARunIsTerminated() =>
        Read(Template.Replace("spec:\n", "spec:\n  terminate: true\n", StringComparison.Ordinal)).Errors
            .ShouldContain(e => e.Contains("spec.terminate: Forbidden: only an AnalysisRun is terminated, not an AnalysisTemplate; remove it", StringComparison.Ordinal));
}
