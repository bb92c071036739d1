namespace Fledge.Cli.Tests;

public sealed class SimulateCommandTests
{
    private static readonly string V1 = SampleFiles.PathOf("hello-v1.yaml");
    private static readonly string V2 = SampleFiles.PathOf("hello-v2.yaml");

    [Fact]
    public void Simulate_TwoVersionsAsJson_ReportsTheWholeTimeline()
    {
        var run = CliRun.Of("simulate", "-f", V1, "-f", V2, "--output", "json");

        run.ExitCode.ShouldBe(ExitCodes.Success, run.Error);
        var json = run.Json;
        json.GetProperty("result").GetString().ShouldBe("Complete");
        json.GetProperty("durationSeconds").GetDouble().ShouldBeGreaterThan(0);
        json.GetProperty("applies").EnumerateArray().Select(a => a.GetProperty("revision").GetInt64()).ShouldBe([1L, 2L]);
        var frames = json.GetProperty("frames").EnumerateArray().ToList();
        frames.Count.ShouldBeGreaterThan(5);
        var last = frames[^1].GetProperty("replicaSets").EnumerateArray().ShouldHaveSingleItem();
        last.GetProperty("revision").GetInt64().ShouldBe(2);
        last.GetProperty("image").GetString().ShouldBe("fledge/hello:v2");
        last.GetProperty("available").GetInt32().ShouldBe(5);
        frames.ShouldAllBe(f => f.GetProperty("replicaSets").EnumerateArray().Sum(rs => rs.GetProperty("replicas").GetInt32()) <= 6);
        json.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("changeCause").GetString()).ShouldBe(["hello v1", "hello v2: says Howdy"]);
        json.GetProperty("conditions").EnumerateArray().ShouldContain(c => c.GetProperty("reason").GetString() == "NewReplicaSetAvailable");
    }

    [Fact]
    public void Simulate_Table_ShowsTimelineResultAndHistory()
    {
        var run = CliRun.Of("simulate", "-f", V1, "-f", V2);

        run.ExitCode.ShouldBe(ExitCodes.Success, run.Error);
        run.Output.ShouldContain("Result: Complete after");
        run.Output.ShouldContain("Scaled up replica set hello-");
        run.Output.ShouldContain("hello v2: says Howdy");
    }

    [Fact]
    public void Simulate_NeverReadyVersion_ExitsWithRolloutFailed()
    {
        var run = CliRun.Of("simulate", "-f", V1, "-f", V2, "--never-ready", "fledge/hello:v2", "-o", "json");

        run.ExitCode.ShouldBe(ExitCodes.RolloutFailed);
        run.Json.GetProperty("result").GetString().ShouldBe("ProgressDeadlineExceeded");
    }

    [Fact]
    public void Simulate_ScriptedUndo_ReturnsToV1AsRevisionThree()
    {
        var run = CliRun.Of("simulate", "-f", V1, "-f", V2, "--at", "2m:undo", "-o", "json");

        run.ExitCode.ShouldBe(ExitCodes.Success, run.Error);
        run.Json.GetProperty("history").EnumerateArray().Select(h => (h.GetProperty("revision").GetInt64(), h.GetProperty("changeCause").GetString()))
            .ShouldBe([(2L, "hello v2: says Howdy"), (3L, "hello v1")]);
    }

    [Fact]
    public void Simulate_ScriptedApplyOfMissingFile_IsInvalidInputAndRunsNothing()
    {
        var run = CliRun.Of("simulate", "-f", V1, "--at", "10s:apply=/nonexistent.yaml");

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Output.ShouldBeEmpty();
        run.Error.ShouldContain("/nonexistent.yaml: cannot read the file");
    }

    [Theory]
    [InlineData("--at", "soon:undo", "\"soon\" is not a duration")]
    [InlineData("--at", "10s:explode", "\"explode\" is not an action")]
    [InlineData("--ready-after", "quick", "--ready-after: \"quick\" is not a duration")]
    public void Simulate_BadFlagValue_NamesItAndExitsInvalidInput(string flag, string value, string expected)
    {
        var run = CliRun.Of("simulate", "-f", V1, flag, value);

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain(expected);
        run.Output.ShouldBeEmpty();
    }

    [Fact]
    public void Simulate_InvalidManifest_ReportsEveryErrorWithLocation()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fledge-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, File.ReadAllText(V1)
            .Replace("replicas: 5", "replicas: -5", StringComparison.Ordinal)
            .Replace("maxSurge: 1", "maxSurge: 0", StringComparison.Ordinal));
        try
        {
            var run = CliRun.Of("simulate", "-f", path);

            run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
            run.Error.ShouldContain($"{path}:9:13: Rollout \"hello\": spec.replicas: Invalid value: -5: must be greater than or equal to 0");
            run.Error.ShouldContain("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when maxSurge is 0");
            run.Output.ShouldBeEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Simulate_VersionsOfDifferentRollouts_AreRefused()
    {
        var run = CliRun.Of("simulate", "-f", V1, "-f", SampleFiles.PathOf("workshop/app-v1.yaml"));

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain("rollout \"app-v1\" is not \"hello\"");
    }

    [Fact]
    public void Simulate_WorkshopRecreate_Completes()
    {
        var run = CliRun.Of("simulate", "-f", SampleFiles.PathOf("workshop/app-recreate.yaml"), "-o", "json");

        run.ExitCode.ShouldBe(ExitCodes.Success, run.Error);
        run.Json.GetProperty("result").GetString().ShouldBe("Complete");
    }

    [Fact]
    public void Run_UnknownCommand_ExitsInvalidInput()
    {
        var run = CliRun.Of("deploy-everything");

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldNotBeEmpty();
    }

    [Fact]
    public void Simulate_CanaryDeployment_PlaysItsTracksAsJson()
    {
        var run = CliRun.Of("simulate", "-f", SampleFiles.PathOf("kanarini/hello-canarydeployment.yaml"),
            "--metric", "request_failure_rate:1m=0.01@fledge/hello:v1", "-o", "json");

        run.ExitCode.ShouldBe(ExitCodes.Success, run.Error);
        run.Json.GetProperty("result").GetString().ShouldBe("Ready");
        run.Json.GetProperty("durationSeconds").GetDouble().ShouldBe(22);
        var last = run.Json.GetProperty("frames").EnumerateArray().Last();
        last.GetProperty("tracks").EnumerateArray().Select(t => t.GetProperty("deployment").GetString()).ShouldBe(["hello-canary", "hello-stable"]);
    }

    [Fact]
    public void Simulate_CanaryDeploymentWithScriptedEvents_IsRefused()
    {
        var run = CliRun.Of("simulate", "-f", SampleFiles.PathOf("kanarini/hello-canarydeployment.yaml"), "--at", "5s:pause");

        run.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        run.Error.ShouldContain("--at: scripted events are for Rollouts");
    }
    [Fact]
    public void Simulate_CanaryAbortedByItsAnalysis_ExitsWithRolloutFailed()
    {
        var run = CliRun.Of("simulate", "-f", SampleFiles.PathOf("canary/error-rate-template.yaml"), "-f", SampleFiles.PathOf("canary/hello-analysis-v1.yaml"),
            "-f", SampleFiles.PathOf("canary/hello-analysis-v2.yaml"), "--metric", "error-rate=0.3@fledge/hello:v2", "-o", "json");

        run.Json.GetProperty("result").GetString().ShouldBe("Aborted");
        run.ExitCode.ShouldBe(ExitCodes.RolloutFailed);
    }

    [Fact]
    public void Simulate_CanaryDeploymentFailingItsCheck_ExitsWithRolloutFailed()
    {
        var v2 = Path.Combine(Path.GetTempPath(), $"fledge-cd-v2-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(v2, SampleFiles.Read("kanarini/hello-canarydeployment.yaml").Replace("hello:v1", "hello:v2", StringComparison.Ordinal));
        try
        {
            var run = CliRun.Of("simulate", "-f", SampleFiles.PathOf("kanarini/hello-canarydeployment.yaml"), "-f", v2,
                "--metric", "request_failure_rate:1m=0.01@fledge/hello:v1", "--metric", "request_failure_rate:1m=0.3@fledge/hello:v2", "-o", "json");

            run.Json.GetProperty("result").GetString().ShouldBe("Failed");
            run.ExitCode.ShouldBe(ExitCodes.RolloutFailed);
        }
        finally
        {
            File.Delete(v2);
        }
    }

    [Fact]
    public void Simulate_CanaryPausedForAPerson_ExitsWithSuccess()
    {
        var run = CliRun.Of("simulate", "-f", SampleFiles.PathOf("canary/hello-canary-v1.yaml"), "-f", SampleFiles.PathOf("canary/hello-canary-v2.yaml"), "-o", "json");

        run.Json.GetProperty("result").GetString().ShouldBe("Paused");
        run.ExitCode.ShouldBe(ExitCodes.Success, run.Error);
    }
}
