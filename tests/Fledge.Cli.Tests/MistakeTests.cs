namespace Fledge.Cli.Tests;

/// <summary>A mistyped command, flag or kind gets the nearest right one and exit 2, kubectl's way.</summary>
public sealed class MistakeTests
{
    [Theory]
    [InlineData(new[] { "aply", "-f", "x.yaml" }, "unknown command \"aply\" for \"fledge\"; did you mean \"apply\"?")]
    [InlineData(new[] { "rollout", "stats", "hello" }, "unknown command \"stats\" for \"fledge rollout\"; did you mean \"status\"?")]
    [InlineData(new[] { "scale", "rollout/hello", "--replics", "3" }, "unknown flag \"--replics\" for \"fledge scale\"; did you mean \"--replicas\"?")]
    [InlineData(new[] { "simulate", "-f", "x.yaml", "--ready-afte", "3s" }, "unknown flag \"--ready-afte\" for \"fledge simulate\"; did you mean \"--ready-after\"?")]
    [InlineData(new[] { "--data-dir", "/tmp/nowhere", "gett", "rollouts" }, "unknown command \"gett\" for \"fledge\"; did you mean \"get\"?")]
    public void Run_Typo_SuggestsTheNearestAndExitsInvalidInput(string[] args, string expected)
    {
        var run = CliRun.Of(args);

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain(expected);
        run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1, "one mistake, one line");
    }

    [Fact]
    public void Run_NothingLikeAnyCommand_SaysSoWithoutAGuess()
    {
        var run = CliRun.Of("deploy-everything-now");

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain("unknown command \"deploy-everything-now\" for \"fledge\" (see 'fledge --help')");
    }

    [Fact]
    public void Get_UnknownKind_IsRefusedBeforeAskingTheRuntime()
    {
        var run = CliRun.Of("--data-dir", "/nonexistent", "get", "rolouts");

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain("the server doesn't have a resource type \"rolouts\"; did you mean \"rollouts\"?");
    }
}
