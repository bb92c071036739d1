using Fledge.Core.Kanarini;
using Fledge.Core.Manifests;

namespace Fledge.Core.Tests.Kanarini;

public sealed class CanaryDeploymentReaderTests
{
    private static IReadOnlyList<string> Errors(string from, string to)
    {
        var text = SampleFiles.Read("kanarini/hello-canarydeployment.yaml").Replace(from, to, StringComparison.Ordinal);
        text.ShouldNotBe(SampleFiles.Read("kanarini/hello-canarydeployment.yaml"));
        var loaded = ManifestLoader.Load(text, "cd.yaml");
        if (loaded.Errors.Count > 0)
        {
            return loaded.Errors.Select(e => e.ToString()).ToList();
        }

        return CanaryDeploymentReader.Read(loaded.Objects.Single()).Errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Read_KanariniSample_AsWritten()
    {
        var loaded = ManifestLoader.Load(SampleFiles.Read("kanarini/hello-canarydeployment.yaml"), "cd.yaml");
        var (cd, errors) = CanaryDeploymentReader.Read(loaded.Objects.ShouldHaveSingleItem());

        errors.ShouldBeEmpty();
        cd!.Name.ShouldBe("hello");
        cd.Canary.Replicas.ShouldBe(1);
        cd.Canary.Labels["track"].ShouldBe("canary");
        cd.Canary.MetricsCheckDelay.ShouldBe(TimeSpan.FromSeconds(20));
        cd.Stable.Replicas.ShouldBe(3);
        cd.ProgressDeadlineSeconds.ShouldBe(600);
        var metric = cd.Canary.Metrics.ShouldHaveSingleItem();
        metric.Type.ShouldBe("Object");
        metric.DescribedObject.ShouldBe(new ObjectReference("Service", "hello-canary", null));
        metric.MetricName.ShouldBe("request_failure_rate:1m");
        metric.Target.ShouldBe(0.1);
    }

    [Fact]
    public void Read_ExternalMetricWithSelector()
    {
        var objectMetric = "- type: Object\n        object:\n          describedObject:\n            kind: Service\n            name: hello-canary\n          metric:\n            name: \"request_failure_rate:1m\"\n";
        var externalMetric = "- type: External\n        external:\n          metric:\n            name: queue_length\n            selector:\n              matchLabels: {queue: orders}\n";
        var sample = SampleFiles.Read("kanarini/hello-canarydeployment.yaml");
        sample.ShouldContain(objectMetric);
        var loaded = ManifestLoader.Load(sample.Replace(objectMetric, externalMetric, StringComparison.Ordinal), "cd.yaml");
        loaded.Errors.ShouldBeEmpty();

        var (cd, errors) = CanaryDeploymentReader.Read(loaded.Objects.Single());

        errors.ShouldBeEmpty();
        var metric = cd!.Canary.Metrics.ShouldHaveSingleItem();
        metric.Type.ShouldBe("External");
        metric.Selector.ShouldBe("queue=orders");
        metric.Display.ShouldBe("external queue_length");
    }

    [Fact]
    public void Read_OldSpellingOfTheDelay_IsAnUnknownFieldWithTheRightName()
    {
        Errors("metricsCheckDelaySeconds", "metricCheckDelaySeconds").ShouldContain(e => e.Contains("metricsCheckDelaySeconds", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("        track: stable", "        track: canary", "spec.tracks.stable.labels: Invalid value")]
    [InlineData("      labels:\n        track: canary\n", "", "spec.tracks.canary.labels: Required value")]
    [InlineData("- type: Object", "- type: Pods", "spec.tracks.canary.metrics[0].type: Unsupported value: \"Pods\": supported values: \"Object\", \"External\"")]
    [InlineData("type: Value", "type: AverageValue", "spec.tracks.canary.metrics[0].object.target.type: Unsupported value: \"AverageValue\"")]
    [InlineData("metricsCheckDelaySeconds: 20", "metricsCheckDelaySeconds: -1", "spec.tracks.canary.metricsCheckDelaySeconds: Invalid value: -1")]
    [InlineData("      replicas: 3", "      replicas: -3", "spec.tracks.stable.replicas: Invalid value: -3")]
    [InlineData("            name: hello-canary\n", "", "spec.tracks.canary.metrics[0].object.describedObject.name: Required value")]
    [InlineData("  template:\n    metadata:\n      labels:\n        app: hello", "  template:\n    metadata:\n      labels:\n        app: other", "spec.template.metadata.labels: Invalid value")]
    public void Read_BadInput_NamesTheFieldAndTheFix(string from, string to, string expected)
    {
        var errors = Errors(from, to);

        errors.ShouldContain(e => e.Contains(expected, StringComparison.Ordinal), $"errors were: {string.Join(" | ", errors)}");
        errors.ShouldAllBe(e => e.StartsWith("cd.yaml:", StringComparison.Ordinal));
    }
}
