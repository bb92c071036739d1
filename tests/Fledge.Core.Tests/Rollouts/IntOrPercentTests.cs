using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Rollouts;

public sealed class IntOrPercentTests
{
    [Theory]
    [InlineData("3", 3, false)]
    [InlineData("0", 0, false)]
    [InlineData("25%", 25, true)]
    [InlineData("100%", 100, true)]
    [InlineData("-1", -1, false)]
    public void TryParse_ValidText_ReadsValueAndKind(string text, int value, bool isPercent)
    {
        IntOrPercent.TryParse(text, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(new IntOrPercent(value, isPercent));
    }

    [Theory]
    [InlineData("")]
    [InlineData("%")]
    [InlineData("abc")]
    [InlineData("25 %")]
    [InlineData("2.5%")]
    [InlineData("-5%")]
    [InlineData("5%%")]
    public void TryParse_MalformedText_Fails(string text) => IntOrPercent.TryParse(text, out _).ShouldBeFalse();

    [Theory]
    [InlineData("25%", 10, true, 3)]
    [InlineData("25%", 10, false, 2)]
    [InlineData("25%", 5, true, 2)]
    [InlineData("25%", 5, false, 1)]
    [InlineData("20%", 10, true, 2)]
    [InlineData("20%", 10, false, 2)]
    [InlineData("1%", 1, true, 1)]
    [InlineData("1%", 1, false, 0)]
    [InlineData("50%", 3, false, 1)]
    [InlineData("7", 100, false, 7)]
    public void Scaled_Percentages_RoundUpForSurgeAndDownForUnavailable(string text, int total, bool roundUp, int expected)
    {
        IntOrPercent.TryParse(text, out var value).ShouldBeTrue();
        value.Scaled(total, roundUp).ShouldBe(expected);
    }
}
