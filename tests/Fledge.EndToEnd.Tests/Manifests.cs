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
