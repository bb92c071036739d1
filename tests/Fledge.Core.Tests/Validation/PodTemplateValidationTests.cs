using Fledge.Core.Manifests;

namespace Fledge.Core.Tests.Validation;

/// <summary>What Kubernetes' API server refuses in a pod template and its metadata is refused, in its words and with the field.</summary>
public sealed class PodTemplateValidationTests
{
    private static IReadOnlyList<string> Errors(string text)
    {
        var loaded = ManifestLoader.Load(text, "hello.yaml");
        loaded.Errors.ShouldBeEmpty();
        return RolloutReader.Read(loaded.Objects.Single()).Errors.Select(e => e.ToString()).ToList();
    }

    private static string Hello => SampleFiles.Read("hello-v1.yaml");

    [Theory]
    [InlineData("    spec:\n", "    spec:\n      terminationGracePeriodSeconds: -1\n",
        "spec.template.spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("          periodSeconds: 1\n", "          periodSeconds: -1\n", "spec.template.spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("          periodSeconds: 5\n", "          periodSeconds: 5\n          successThreshold: 2\n",
        "spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1")]
    [InlineData("          periodSeconds: 5\n", "          periodSeconds: 5\n          tcpSocket: {port: 8080}\n",
        "spec.template.spec.containers[0].livenessProbe: Forbidden: may not specify more than 1 handler type")]
    [InlineData("        - containerPort: 8080\n", "        - containerPort: 70000\n",
        "spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive")]
    [InlineData("            path: /ready\n            port: 8080\n", "            path: /ready\n            port: 0\n",
        "spec.template.spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive")]
    [InlineData("            path: /ready\n            port: 8080\n", "            path: /ready\n            port: not_a_port\n",
        "spec.template.spec.containers[0].readinessProbe.httpGet.port: Invalid value: \"not_a_port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")]
    [InlineData("        image: fledge/hello:v1\n", "        image: fledge/hello:v1\n        env:\n        - name: 1BAD\n          value: x\n",
        "spec.template.spec.containers[0].env[0].name: Invalid value: \"1BAD\": a valid environment variable name must consist of alphabetic characters")]
    [InlineData("      labels:\n        app: hello\n", "      labels:\n        app: hello\n        tier: \"-nope-\"\n",
        "spec.template.metadata.labels: Invalid value: \"-nope-\": a valid label must be an empty string or consist of alphanumeric characters")]
    [InlineData("      labels:\n        app: hello\n", "      labels:\n        app: hello\n        \"bad key!\": x\n",
        "spec.template.metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters")]
    [InlineData("  replicas: 5\n", "  replicas: 2147483647\n", "spec.replicas: Invalid value: 2147483647: must be no more than 100000")]
    [InlineData("        image: fledge/hello:v1\n", "        image: fledge/hello:v1\n        lifecycle:\n          preStop: {}\n",
        "spec.template.spec.containers[0].lifecycle.preStop: Required value: must specify a handler type")]
    public void Read_WhatKubernetesRefuses_IsRefusedWithTheField(string find, string replace, string expected)
    {
        Hello.ShouldContain(find);

        var errors = Errors(Hello.Replace(find, replace, StringComparison.Ordinal));

        string.Join("\n", errors).ShouldContain(expected);
    }

    [Fact]
    public void Read_AnnotationsOverKubernetesLimit_AreTooLong()
    {
        var text = Hello.Replace("    kubernetes.io/change-cause: \"hello v1\"", $"    kubernetes.io/change-cause: \"{new string('x', 300 * 1024)}\"", StringComparison.Ordinal);

        Errors(text).ShouldContain("hello.yaml:7:5: Rollout \"hello\": metadata.annotations: Too long: must have at most 262144 bytes");
    }

    [Fact]
    public void Read_TheSamples_AreValid()
    {
        Errors(Hello).ShouldBeEmpty();
        Errors(SampleFiles.Read("hello-v2.yaml")).ShouldBeEmpty();
    }
}
