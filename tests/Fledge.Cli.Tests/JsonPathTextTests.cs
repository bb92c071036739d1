using System.Text.Json.Nodes;
using Fledge.Cli.Output;

namespace Fledge.Cli.Tests;

/// <summary>get -o jsonpath=... prints what kubectl prints for the templates scripts use.</summary>
public sealed class JsonPathTextTests
{
    private static readonly JsonNode List = JsonNode.Parse("""
        {"kind": "List", "items": [
          {"metadata": {"name": "a"}, "status": {"phase": "Healthy", "readyReplicas": 3, "conditions": [{"type": "Available", "status": "True"}]}},
          {"metadata": {"name": "b"}, "status": {"phase": "Degraded"}}
        ]}
        """)!;

    [Theory]
    [InlineData("{.items[*].metadata.name}", "a b")]
    [InlineData("{.items[0].status.phase}", "Healthy")]
    [InlineData("{.items[0].status.readyReplicas}", "3")]
    [InlineData("{.items[0].status.conditions[0]}", "{\"type\":\"Available\",\"status\":\"True\"}")]
    [InlineData("{.items[1].status.readyReplicas}", "")]
    [InlineData("{.items[9].metadata.name}", "")]
    [InlineData("name={.items[1].metadata.name} phase={.items[1].status.phase}", "name=b phase=Degraded")]
    public void Render_KubectlTemplates_PrintTheFields(string template, string expected)
    {
        JsonPathText.Render(template, List, out var error).ShouldBe(expected, error);
    }

    [Theory]
    [InlineData("{status.phase")]
    [InlineData("{status}")]
    public void Render_NotATemplate_SaysHowToWriteOne(string template)
    {
        JsonPathText.Render(template, List, out var error).ShouldBeNull();
        error.ShouldContain("write fields as {.path.to.field}");
    }
}
