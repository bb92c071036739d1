using Fledge.Core.Analysis;

namespace Fledge.Core.Tests.Analysis;

public sealed class ConditionExpressionTests
{
    private static bool Eval(string text, params double[] result)
    {
        ConditionExpression.TryParse(text, out var expression, out var error).ShouldBeTrue(error);
        return expression!.Evaluate(result);
    }

    [Theory]
    [InlineData("result < 0.05", new[] { 0.01 }, true)]
    [InlineData("result < 0.05", new[] { 0.3 }, false)]
    [InlineData("result >= 0.95", new[] { 0.95 }, true)]
    [InlineData("result[0] >= 0.99 && result[1] < 300", new[] { 0.995, 250 }, true)]
    [InlineData("result[0] >= 0.99 && result[1] < 300", new[] { 0.995, 350 }, false)]
    [InlineData("result[0] > 1 || result[1] > 1", new[] { 0.0, 2 }, true)]
    [InlineData("len(result) == 2", new[] { 1.0, 2 }, true)]
    [InlineData("!(result > 5)", new[] { 3.0 }, true)]
    [InlineData("not isNaN(result) and result <= 0.1", new[] { 0.1 }, true)]
    [InlineData("isNaN(result)", new[] { double.NaN }, true)]
    [InlineData("result * 100 - 5 > 20", new[] { 0.3 }, true)]
    [InlineData("abs(result - 1) < 0.01", new[] { 0.995 }, true)]
    [InlineData("result > -1e-3", new[] { 0.0 }, true)]
    [InlineData("result != 0", new[] { 0.0 }, false)]
    [InlineData("true", new double[0], true)]
    public void Evaluate_Expression_GivesExpectedTruth(string text, double[] result, bool expected) => Eval(text, result).ShouldBe(expected);

    [Theory]
    [InlineData("result <", "the expression ends too early")]
    [InlineData("reslt < 0.05", "unknown name \"reslt\"")]
    [InlineData("result < 0.05)", "unexpected \")\"")]
    [InlineData("result[ ] > 1", "expected an index")]
    [InlineData("(result > 1", "expected \")\"")]
    public void TryParse_Malformed_SaysWhereAndWhat(string text, string expected)
    {
        ConditionExpression.TryParse(text, out _, out var error).ShouldBeFalse();
        error.ShouldContain(expected);
        error.ShouldContain("at position");
    }

    [Fact]
    public void Evaluate_IndexBeyondResult_IsAnError()
    {
        ConditionExpression.TryParse("result[2] > 1", out var expression, out _).ShouldBeTrue();

        Should.Throw<InvalidOperationException>(() => expression!.Evaluate([1.0])).Message.ShouldContain("result[2] does not exist");
    }

    [Fact]
    public void Evaluate_VectorComparedAsNumber_AsksForAnIndex()
    {
        ConditionExpression.TryParse("result > 1", out var expression, out _).ShouldBeTrue();

        Should.Throw<InvalidOperationException>(() => expression!.Evaluate([1.0, 2.0])).Message.ShouldContain("index it");
    }
}
