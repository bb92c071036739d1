using System.Collections.Immutable;
using Fledge.Core.Analysis;
using Fledge.Metrics.Kubernetes;

namespace Fledge.Metrics.Tests;

/// <summary>The custom and external metrics API client, against a test server over real HTTP.</summary>
public sealed class KubernetesMetricsTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private MetricsApiServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await MetricsApiServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task ObjectMetric_AsksTheV1beta2PathAndReadsTheQuantity()
    {
        _server.SetObject("shop", "services", "hello-canary", "request_failure_rate:1m", "125m");
        var client = new KubernetesMetricsClient(_http, _server.Address);

        var value = await client.GetObjectMetricAsync("shop", "Service", "hello-canary", "request_failure_rate:1m", "code=5xx", TestContext.Current.CancellationToken);

        value.ShouldBe(0.125);
        var request = _server.Requests.ShouldHaveSingleItem();
        request.PathAndQuery.ShouldBe("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/services/hello-canary/request_failure_rate:1m?metricSelector=code%3D5xx");
        request.Accept.ShouldBe("application/json");
    }

    [Fact]
    public async Task ExternalMetric_SendsTheLabelSelectorAndGivesEverySeries()
    {
        _server.AddExternal("default", "queue_length", new() { ["queue"] = "orders", ["zone"] = "a" }, "3");
        _server.AddExternal("default", "queue_length", new() { ["queue"] = "orders", ["zone"] = "b" }, "4500m");
        _server.AddExternal("default", "queue_length", new() { ["queue"] = "payments" }, "100");
        var client = new KubernetesMetricsClient(_http, _server.Address);

        var values = await client.GetExternalMetricAsync("default", "queue_length", "queue=orders", TestContext.Current.CancellationToken);

        values.ShouldBe([3.0, 4.5], ignoreOrder: true);
        _server.Requests.ShouldHaveSingleItem().PathAndQuery.ShouldBe("/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_length?labelSelector=queue%3Dorders");
    }

    [Fact]
    public async Task BearerToken_IsSentWhenGiven_AndTheServerSaysUnauthorizedWithout()
    {
        _server.RequiredToken = "s3cret";
        _server.SetObject("default", "services", "web", "latency", "20m");

        var withToken = await new KubernetesMetricsClient(_http, _server.Address, "s3cret")
            .GetObjectMetricAsync("default", "Service", "web", "latency", null, TestContext.Current.CancellationToken);
        var without = await Should.ThrowAsync<MetricProviderException>(() => new KubernetesMetricsClient(_http, _server.Address)
            .GetObjectMetricAsync("default", "Service", "web", "latency", null, TestContext.Current.CancellationToken));

        withToken.ShouldBe(0.02);
        without.Message.ShouldContain("answered 401: Unauthorized");
    }

    [Fact]
    public async Task Provider_NeverSendsTheRuntimesTokenToAnAddressATemplateNames()
    {
        _server.RequiredToken = "s3cret";
        _server.SetObject("default", "services", "web", "latency", "20m");
        var provider = new KubernetesMetricProvider(_http, new Uri("http://127.0.0.1:9/"), "s3cret");
        var metric = new AnalysisMetric("latency", new MetricProvider("kubernetes", ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            new Dictionary<string, string> { ["address"] = _server.Address.ToString(), ["kind"] = "Service", ["name"] = "web", ["metric"] = "latency" })),
            null, null, null, null, TimeSpan.Zero);

        var error = await Should.ThrowAsync<MetricProviderException>(() => provider.ReadAsync(metric, new MeasureContext(DateTimeOffset.UtcNow), TestContext.Current.CancellationToken));

        error.Message.ShouldContain("answered 401");
    }

    [Fact]
    public async Task ProviderWithTheOperatorsCredentials_RefusesAnAddressAndReadsTheRolloutsNamespace()
    {
        _server.SetObject("team-a", "services", "web", "latency", "30m");
        var provider = new KubernetesMetricProvider(_http, _server.Address, throughServerOnly: true);
        AnalysisMetric Metric(Dictionary<string, string> settings) => new("latency", new MetricProvider("kubernetes", ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            settings)), null, null, null, null, TimeSpan.Zero);
        var context = new MeasureContext(DateTimeOffset.UtcNow) { Namespace = "team-a" };

        var elsewhere = await Should.ThrowAsync<MetricProviderException>(() => provider.ReadAsync(
            Metric(new() { ["address"] = "http://127.0.0.1:9/", ["kind"] = "Service", ["name"] = "web", ["metric"] = "latency" }), context, TestContext.Current.CancellationToken));
        var values = await provider.ReadAsync(Metric(new() { ["kind"] = "Service", ["name"] = "web", ["metric"] = "latency" }), context, TestContext.Current.CancellationToken);

        elsewhere.Message.ShouldContain("leave address out");
        values.ShouldBe([0.03]);
    }

    [Fact]
    public async Task MissingMetric_IsAnErrorWithTheServersMessage()
    {
        var client = new KubernetesMetricsClient(_http, _server.Address);

        var error = await Should.ThrowAsync<MetricProviderException>(() =>
            client.GetObjectMetricAsync("default", "Service", "web", "latency", null, TestContext.Current.CancellationToken));

        error.Message.ShouldContain("answered 404: the server could not find the metric latency for services web");
    }

    [Fact]
    public async Task Unreachable_SaysItCannotReachTheApi()
    {
        var address = _server.Address;
        await _server.DisposeAsync();
        _server = await MetricsApiServer.StartAsync();
        var client = new KubernetesMetricsClient(_http, address);

        var error = await Should.ThrowAsync<MetricProviderException>(() =>
            client.GetExternalMetricAsync("default", "queue_length", null, TestContext.Current.CancellationToken));

        error.Message.ShouldStartWith($"cannot reach the metrics API at {address}");
    }

    [Fact]
    public async Task Provider_ReadsAnObjectMetricFromAnAnalysisTemplatesSettings()
    {
        _server.SetObject("default", "ingresses", "shop", "requests_per_second", "2k");
        var provider = new KubernetesMetricProvider(_http, _server.Address);
        var metric = new AnalysisMetric("rps", new MetricProvider("kubernetes",
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["kind"] = "Ingress", ["name"] = "shop", ["metric"] = "requests_per_second" })),
            null, null, null, null, TimeSpan.Zero);

        var values = await provider.ReadAsync(metric, new MeasureContext(DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);

        values.ShouldBe([2000.0]);
    }

    [Fact]
    public async Task Provider_WithoutAnApiServer_SaysHowToGiveOne()
    {
        var provider = new KubernetesMetricProvider(_http, server: null);
        var metric = new AnalysisMetric("q", new MetricProvider("kubernetes",
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string> { ["type"] = "External", ["metric"] = "queue_length" })),
            null, null, null, null, TimeSpan.Zero);

        var error = await Should.ThrowAsync<MetricProviderException>(() => provider.ReadAsync(metric, new MeasureContext(DateTimeOffset.UtcNow), TestContext.Current.CancellationToken));

        error.Message.ShouldContain("--metrics-api");
    }

    [Theory]
    [InlineData("Service", "services")]
    [InlineData("Ingress", "ingresses")]
    [InlineData("Pod", "pods")]
    [InlineData("NetworkPolicy", "networkpolicies")]
    [InlineData("Gateway", "gateways")]
    public void Resource_IsTheLowerCasePlural(string kind, string resource) => KubernetesMetricsClient.Resource(kind).ShouldBe(resource);

    [Fact]
    public void ObjectPath_NamespaceAndClusterScopedKinds()
    {
        KubernetesMetricsClient.ObjectPath("x", "Namespace", "shop", "m", null).ShouldBe("/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/metrics/m");
        KubernetesMetricsClient.ObjectPath("x", "Node", "n1", "m", null).ShouldBe("/apis/custom.metrics.k8s.io/v1beta2/nodes/n1/m");
    }
}
