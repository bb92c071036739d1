namespace Fledge.Cli.Tests;

public sealed class PlanCommandTests
{
    private static readonly string Midway = SampleFiles.PathOf("plan/web-midway.yaml");

    [Fact]
    public void Plan_KubectlListMidRollout_ScalesOldDownByOneWithReason()
    {
        var run = CliRun.Of("plan", "-f", Midway, "--now", "2026-11-20T10:05:10Z", "--output", "json");

        run.ExitCode.ShouldBe(ExitCodes.Success, run.Error);
        var actions = run.Json.GetProperty("actions").EnumerateArray().ToList();
        var scale = actions.First(a => a.GetProperty("action").GetString() == "scale");
        scale.GetProperty("replicaSet").GetString().ShouldBe("web-5f8d9c7b4c");
        scale.GetProperty("from").GetInt32().ShouldBe(4);
        scale.GetProperty("to").GetInt32().ShouldBe(3);
        scale.GetProperty("reason").GetString()!.ShouldContain("4 must stay available");
        actions.Count(a => a.GetProperty("action").GetString() == "create").ShouldBe(0, "the template matches web-7c9d6b8f5d once pod-template-hash is ignored");
    }

    [Fact]
    public void Plan_PastTheDeadline_WritesProgressDeadlineExceeded()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fledge-stuck-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, File.ReadAllText(Midway).Replace("availableReplicas: 1\n", "availableReplicas: 0\n", StringComparison.Ordinal)
            .Replace("    availableReplicas: 5\n", "    availableReplicas: 4\n", StringComparison.Ordinal));
        try
        {
            var run = CliRun.Of("plan", "-f", path, "--now", "2026-11-20T10:20:00Z", "-o", "json");

            run.ExitCode.ShouldBe(ExitCodes.Success, run.Error);
            var status = run.Json.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("action").GetString() == "status");
            status.GetProperty("status").GetProperty("conditions").EnumerateArray()
                .ShouldContain(c => c.GetProperty("reason").GetString() == "ProgressDeadlineExceeded" && c.GetProperty("status").GetString() == "False");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Plan_Table_NamesEachActionAndWhy()
    {
        var run = CliRun.Of("plan", "-f", Midway, "--now", "2026-11-20T10:05:10Z");

        run.ExitCode.ShouldBe(ExitCodes.Success, run.Error);
        run.Output.ShouldContain("web-5f8d9c7b4c");
        run.Output.ShouldContain("4 -> 3");
        run.Output.ShouldContain("Next check in");
    }

    [Fact]
    public void Plan_NoRolloutInFiles_IsInvalidInput()
    {
        var run = CliRun.Of("plan", "-f", SampleFiles.PathOf("workshop/app-service.yaml"));

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain("no Rollout or Deployment found");
    }

    [Fact]
    public void Plan_BadNow_IsInvalidInput()
    {
        var run = CliRun.Of("plan", "-f", Midway, "--now", "yesterday");

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain("--now: \"yesterday\" is not a time");
    }
}
