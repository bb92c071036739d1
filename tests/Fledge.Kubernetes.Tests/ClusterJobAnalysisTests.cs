using k8s;
using Fledge.Tests;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// Argo's job provider on a cluster, with Argo's own ClusterAnalysisTemplate (examples/cluster-analysis-templates.yaml,
/// applied unchanged with kubectl and named with clusterScope: true): the operator runs a batch/v1 Job per measurement
/// (the tests' kubelet runs its pod to the end), promotes on a Job that succeeds and aborts on one that fails.
/// </summary>
public sealed class ClusterJobAnalysisTests
{
    private const string FailingTemplate = """
        apiVersion: argoproj.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: fail
        spec:
          metrics:
          - name: fail
            provider:
              job:
                spec:
                  backoffLimit: 0
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: check
                        image: alpine:3.8
                        command: [sh, -c]
                        args: ["exit 1"]
        """;

    private static string Rollout(string version, string analysis) => $$"""
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          strategy:
            canary:
              steps:
              - setWeight: 50
              - analysis: {{analysis}}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: registry.example/web:{{version}}
        """;

    [Fact(Timeout = 600_000)]
    public async Task JobAnalysis_OnACluster_ClusterTemplatePromotes_FailingJobAborts()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("job-analysis");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);
        ControlPlane.Kubectl("apply", "-f", ConformanceFiles.PathOf(Path.Combine("argo", "examples", "cluster-analysis-templates.yaml"))).Code.ShouldBe(0);
        ControlPlane.KubectlWithInput(FailingTemplate, "apply", "-n", ns.Name, "-f", "-").Code.ShouldBe(0);

        ControlPlane.KubectlWithInput(Rollout("v1", "{templates: [{templateName: always-pass, clusterScope: true}]}"), "apply", "-n", ns.Name, "-f", "-").Code.ShouldBe(0);
        ClusterCliTests.Fledge(ns.Name, "rollout", "status", "web", "--timeout", "2m").ShouldSucceed(fledge);

        // v2: Argo's ClusterAnalysisTemplate "always-pass" runs its Job, which succeeds: v2 becomes stable
        ControlPlane.KubectlWithInput(Rollout("v2", "{templates: [{templateName: always-pass, clusterScope: true}]}"), "apply", "-n", ns.Name, "-f", "-").Code.ShouldBe(0);
        var good = ClusterCliTests.Fledge(ns.Name, "rollout", "status", "web", "--timeout", "3m");
        good.Code.ShouldBe(0, good + fledge.Output);
        ClusterCliTests.Fledge(ns.Name, "get", "rollout", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}").Output.ShouldBe("registry.example/web:v2");

        // v3: a Job that exits 1 fails the measurement: the rollout aborts by itself
        ControlPlane.KubectlWithInput(Rollout("v3", "{templates: [{templateName: fail}]}"), "apply", "-n", ns.Name, "-f", "-").Code.ShouldBe(0);
        await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.Phase == "Degraded", fledge);
        ClusterCliTests.Fledge(ns.Name, "describe", "rollout", "web").Output.ShouldContain("the job failed");

        // The Jobs are cleaned up once measured
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await client.BatchV1.ListNamespacedJobAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items.Count > 0)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the analysis Jobs are deleted\n" + fledge.Output);
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
