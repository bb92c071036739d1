using System.Globalization;

namespace Fledge.EndToEnd.Tests;

/// <summary>Manifests of the hello service for the end-to-end tests.</summary>
internal static class Manifests
{
    public static string Hello(string version, int replicas = 5, string maxSurge = "1", string maxUnavailable = "0", string? extraEnv = null,
        string name = "hello", string app = "hello", string? command = null, int minReadySeconds = 1, int progressDeadlineSeconds = 600) =>
        string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata:
          name: {name}
          annotations:
            kubernetes.io/change-cause: "{name} {version}"
        spec:
          replicas: {replicas}
          minReadySeconds: {minReadySeconds}
          progressDeadlineSeconds: {progressDeadlineSeconds}
          selector:
            matchLabels:
              app: {app}
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxSurge: {maxSurge}
              maxUnavailable: {maxUnavailable}
          template:
            metadata:
              labels:
                app: {app}
            spec:
              terminationGracePeriodSeconds: 10
              containers:
              - name: hello
                image: fledge/hello:{version}
        {(command is null ? "" : $"        command: {command}\n")}        env:
                - name: HELLO_MARK
                  value: "e2e"
        {extraEnv ?? ""}        readinessProbe:
                  httpGet:
                    path: /ready
                    port: 8080
                  periodSeconds: 1
        """);

    public static string Service(int port, string name = "hello", string app = "hello") => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
        spec:
          selector:
            app: {app}
          ports:
          - port: {port}
        """);
}

/// <summary>The end-to-end tests' canary rollouts of hello: 2 replicas, exact weights, the given steps.</summary>
internal static class CanaryManifests
{
    /// <param name="steps">The steps, one YAML list item per line (e.g. "- setWeight: 25").</param>
    /// <param name="failRate">HELLO_FAIL_RATE for this version, to make it fail that share of requests.</param>
    /// <param name="latencyMs">HELLO_LATENCY_MS for this version, to make every answer that much slower.</param>
    public static string Rollout(string version, IEnumerable<string> steps, string? failRate = null, string? latencyMs = null) => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata:
          name: hello
        spec:
          replicas: 2
          selector:
            matchLabels: {"{"}app: hello{"}"}
          strategy:
            canary:
              canaryService: hello-canary
              stableService: hello
              trafficRouting: {"{}"}
              abortScaleDownDelaySeconds: 2
              scaleDownDelaySeconds: 2
              steps:
        {string.Concat(steps.Select(step => $"      {step}\n"))}  template:
            metadata:
              labels: {"{"}app: hello{"}"}
            spec:
              terminationGracePeriodSeconds: 10
              containers:
              - name: hello
                image: fledge/hello:{version}
        {Env(("HELLO_FAIL_RATE", failRate), ("HELLO_LATENCY_MS", latencyMs))}        readinessProbe:
                  httpGet: {"{"}path: /ready, port: 8080{"}"}
                  periodSeconds: 1
        """);

    /// <summary>
    /// The AnalysisTemplate "error-rate" on the runtime's own request metrics: the failure rate of the Service named by
    /// the "service" argument over 10 s, measured three times 2 s apart after <paramref name="initialDelay"/>; below 5%
    /// passes, 10% or more fails.
    /// </summary>
    public static string ErrorRateTemplate(string initialDelay = "2s") => $$$"""
        apiVersion: fledge.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: error-rate
        spec:
          args:
          - name: service
          metrics:
          - name: error-rate
            interval: 2s
            count: 3
            initialDelay: {{{initialDelay}}}
            successCondition: result < 0.05
            failureCondition: result >= 0.1
            provider:
              fledge:
                service: "{{args.service}}"
                metric: request_failure_rate:10s
        """;

    private static string Env(params (string Name, string? Value)[] variables)
    {
        var set = variables.Where(v => v.Value is not null).ToList();
        return set.Count == 0 ? "" : "        env:\n" + string.Concat(set.Select(v => $"        - name: {v.Name}\n          value: \"{v.Value}\"\n"));
    }
}
