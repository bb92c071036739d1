namespace Fledge.EndToEnd.Tests;

/// <summary>`fledge analysis run`: a template tried against the running runtime's own request metrics before a canary depends on it.</summary>
public sealed class AnalysisRunTests(SharedRuntime shared) : IClassFixture<SharedRuntime>
{
    private RuntimeProcess Runtime => shared.Runtime;

    private static string Template => SampleFiles.PathOf("canary/error-rate-template.yaml");

    [Fact(Timeout = 240_000)]
    public async Task AnalysisRun_ServiceWithTraffic_MeasuresOnceAndPasses()
    {
        await shared.HelloStillServesAsync();

        var run = Runtime.Fledge("analysis", "run", "-f", Template, "--arg", "service=hello", "-o", "json");

        run.ExitCode.ShouldBe(0, run.Error);
        var measurement = System.Text.Json.JsonDocument.Parse(run.Output).RootElement.GetProperty("measurements")[0];
        measurement.GetProperty("metric").GetString().ShouldBe("error-rate");
        measurement.GetProperty("phase").GetString().ShouldBe("Successful");
        measurement.GetProperty("value")[0].GetDouble().ShouldBe(0);
    }

    [Fact(Timeout = 240_000)]
    public void AnalysisRun_ServiceWithoutTraffic_IsAnErrorAndExitsOne()
    {
        var run = Runtime.Fledge("analysis", "run", "-f", Template, "--arg", "service=nobody-calls");

        run.ExitCode.ShouldBe(1);
        run.Output.ShouldContain("Error");
        run.Error.ShouldContain("no requests reached Service \"nobody-calls\"");
    }

    [Fact(Timeout = 240_000)]
    public void AnalysisRun_MissingArgument_NamesItAndHowToGiveIt()
    {
        var run = Runtime.Fledge("analysis", "run", "-f", Template);

        run.ExitCode.ShouldBe(2);
        run.Error.ShouldContain("args.service has no value");
        run.Error.ShouldContain("--arg NAME=VALUE");
    }

    [Fact(Timeout = 240_000)]
    public async Task AnalysisRun_ArgoAnalysisRun_IsMeasuredWithItsOwnArguments_AndApplyRefusesIt()
    {
        await shared.HelloStillServesAsync();
        var file = Path.Combine(Path.GetTempPath(), $"analysisrun-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisRun
            metadata:
              name: hello-6c54544bf9-2-1
              labels: {rollout-type: Step}
            spec:
              args:
              - {name: service, value: hello}
              metrics:
              - name: error-rate
                successCondition: result < 0.05
                provider:
                  fledge: {service: "{{args.service}}", metric: "request_failure_rate:30s"}
            status:
              phase: Successful
            """, TestContext.Current.CancellationToken);
        try
        {
            var run = Runtime.Fledge("analysis", "run", "-f", file, "-o", "json");
            run.ExitCode.ShouldBe(0, run.Error);
            System.Text.Json.JsonDocument.Parse(run.Output).RootElement.GetProperty("measurements")[0].GetProperty("phase").GetString().ShouldBe("Successful");

            var apply = Runtime.Fledge("apply", "-f", file);
            apply.ExitCode.ShouldBe(2);
            apply.Error.ShouldContain("AnalysisRun \"hello-6c54544bf9-2-1\": an AnalysisRun is one run of an analysis");
            apply.Error.ShouldContain("fledge analysis run -f FILE");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
