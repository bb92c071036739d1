using Fledge.Metrics;
using Fledge.Metrics.Prometheus;
using Fledge.Metrics.Web;

namespace Fledge.Metrics.Tests;

public sealed class ProviderParsingTests
{
    [Fact]
    public void Parse_PrometheusVector_GivesOneValuePerSeries()
    {
        const string body = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"revision":"1"},"value":[1700000000.1,"0.25"]},{"metric":{"revision":"2"},"value":[1700000000.1,"NaN"]}]}}""";

        var values = PrometheusProvider.Parse(body, "q");

        values.Count.ShouldBe(2);
        values[0].ShouldBe(0.25);
        double.IsNaN(values[1]).ShouldBeTrue();
    }

    [Fact]
    public void Parse_PrometheusScalar_GivesItsValue() =>
        PrometheusProvider.Parse("""{"status":"success","data":{"resultType":"scalar","result":[1700000000,"42"]}}""", "q").ShouldBe([42.0]);

    [Fact]
    public void Parse_PrometheusEmptyVector_IsAnErrorSayingSo() =>
        Should.Throw<MetricProviderException>(() => PrometheusProvider.Parse("""{"status":"success","data":{"resultType":"vector","result":[]}}""", "up"))
            .Message.ShouldContain("returned no series");

    [Fact]
    public void Parse_PrometheusError_CarriesItsMessage() =>
        Should.Throw<MetricProviderException>(() => PrometheusProvider.Parse("""{"status":"error","errorType":"bad_data","error":"parse error at char 5"}""", "sum(("))
            .Message.ShouldContain("parse error at char 5");

    [Theory]
    [InlineData("""{"data":{"errorRate":0.02}}""", "{$.data.errorRate}", new[] { 0.02 })]
    [InlineData("""{"results":[{"value":"0.5"},{"value":"0.7"}]}""", "$.results[1].value", new[] { 0.7 })]
    [InlineData("""{"ok":true}""", "$.ok", new[] { 1.0 })]
    [InlineData("""{"values":[1,2,3]}""", "$.values", new[] { 1.0, 2, 3 })]
    public void Select_WebJsonPath_ReadsNumbers(string json, string path, double[] expected) => WebProvider.Select(json, path).ShouldBe(expected);

    [Fact]
    public void Select_MissingField_NamesIt() =>
        Should.Throw<MetricProviderException>(() => WebProvider.Select("""{"data":{}}""", "$.data.rate")).Message.ShouldContain("no \"rate\"");
}
