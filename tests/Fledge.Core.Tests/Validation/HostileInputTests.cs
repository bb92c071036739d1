using Fledge.Core.Analysis;
using Fledge.Core.Manifests;

namespace Fledge.Core.Tests.Validation;

/// <summary>No input can exhaust the reader: size, nesting, aliases and condition expressions have limits, each refused with where and why.</summary>
public sealed class HostileInputTests
{
    private static string Hello => SampleFiles.Read("hello-v1.yaml");

    [Fact]
    public void Load_LargerThanKubernetesRequestLimit_IsRefused()
    {
        var text = Hello + "# " + new string('x', YamlLimits.MaxBytes) + "\n";

        var loaded = ManifestLoader.Load(text, "big.yaml");

        loaded.Objects.ShouldBeEmpty();
        loaded.Errors.ShouldHaveSingleItem().ToString().ShouldContain("at most 1572864 (1.5 MiB, the request limit of Kubernetes' API server) are read");
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(200_000)]
    public void Load_NestedDeeperThanTheLimit_IsRefusedWithoutRecursing(int depth)
    {
        var text = "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  x: " + new string('[', depth) + new string(']', depth) + "\n";

        var loaded = ManifestLoader.Load(text, "deep.yaml");

        loaded.Errors.ShouldHaveSingleItem().ToString().ShouldContain("deep.yaml:5:");
        loaded.Errors.Single().ToString().ShouldContain($"the YAML nests more than {YamlLimits.MaxDepth} levels deep");
    }

    [Fact]
    public void Load_BillionLaughs_IsRefusedBeforeAnyAliasIsExpanded()
    {
        var lines = new List<string> { "    a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]" };
        var previous = 'a';
        foreach (var name in "bcdefghij")
        {
            lines.Add($"    {name}: &{name} [{string.Join(",", Enumerable.Repeat($"*{previous}", 9))}]");
            previous = name;
        }

        var text = "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  selector:\n" + string.Join("\n", lines) + "\n";

        var loaded = ManifestLoader.Load(text, "laughs.yaml");

        loaded.Errors.ShouldHaveSingleItem().ToString().ShouldContain("the aliases expand to more than 250000 nodes (excessive aliasing)");
    }

    [Fact]
    public void Load_AFewAliases_AreStillRead()
    {
        var text = Hello.Replace("      labels:\n        app: hello", "      labels: &labels\n        app: hello", StringComparison.Ordinal)
            .Replace("    matchLabels:\n      app: hello", "    matchLabels: *labels", StringComparison.Ordinal);

        var loaded = ManifestLoader.Load(text, "anchors.yaml");

        loaded.Errors.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: x\nspec: {}\n")]
    [InlineData("apiVersion: v1\nkind: [Service\n")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n   bad: indent\n")]
    [InlineData("\"unterminated\n")]
    [InlineData("key: \"\\xZZ\"\n")]
    [InlineData("{[: ]}")]
    public void Load_MalformedYaml_IsAnErrorNeverAnException(string text)
    {
        var loaded = ManifestLoader.Load(text, "bad.yaml");

        loaded.Objects.ShouldBeEmpty();
        loaded.Errors.ShouldNotBeEmpty();
        loaded.Errors[0].ToString().ShouldStartWith("bad.yaml");
    }

    [Fact]
    public void Condition_NestedEightThousandParentheses_IsRefusedWithoutAStackOverflow()
    {
        var text = new string('(', 8000) + "result < 1" + new string(')', 8000);

        ConditionExpression.TryParse(text, out _, out var error).ShouldBeFalse();

        error.ShouldContain("characters long; at most 4096 are read");
    }

    [Theory]
    [InlineData(65, false)]
    [InlineData(64, true)]
    public void Condition_NestingDeeperThanTheLimit_IsRefused(int depth, bool parses)
    {
        var text = new string('(', depth) + "result < 1" + new string(')', depth);

        ConditionExpression.TryParse(text, out _, out var error).ShouldBe(parses, error);

        if (!parses)
        {
            error.ShouldContain($"nested more than {ConditionExpression.MaxDepth} levels deep");
        }
    }

    [Fact]
    public void Condition_NegationsAndMinusesNestDeeply_AreRefusedToo()
    {
        ConditionExpression.TryParse(string.Concat(Enumerable.Repeat("!", 100)) + "true", out _, out var notError).ShouldBeFalse();
        ConditionExpression.TryParse("result < " + new string('-', 100) + "1", out _, out var minusError).ShouldBeFalse();

        notError.ShouldContain("nested more than");
        minusError.ShouldContain("nested more than");
    }

    [Fact]
    public void AnalysisTemplate_ConditionNestedTooDeep_IsRefusedWithItsField()
    {
        var text = SampleFiles.Read("canary/error-rate-template.yaml")
            .Replace("successCondition: result < 0.05", "successCondition: " + new string('(', 100) + "result < 0.05" + new string(')', 100), StringComparison.Ordinal);
        var loaded = ManifestLoader.Load(text, "template.yaml");

        var (template, errors) = AnalysisTemplateReader.Read(loaded.Objects.Single());

        template.ShouldBeNull();
        string.Join("\n", errors).ShouldContain("successCondition");
        string.Join("\n", errors).ShouldContain("nested more than 64 levels deep");
    }
}
