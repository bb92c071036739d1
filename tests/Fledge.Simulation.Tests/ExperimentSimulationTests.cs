using System.Collections.Immutable;
using System.Globalization;
using Fledge.Core.Analysis;
using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation.Tests;

/// <summary>Argo's experiment step on the virtual clock: replica sets of the stable and canary templates beside the rollout's, judged by their analysis.</summary>
public sealed class ExperimentSimulationTests
{
    private const string Template = """
        apiVersion: argoproj.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: error-rate
        spec:
          metrics:
          - name: error-rate
            interval: 5s
            count: 2
            successCondition: result < 0.1
            failureCondition: result >= 0.1
            provider:
              fledge: {service: web, metric: "request_failure_rate:30s"}
        """;

    private static Rollout Canary(string image, string experiment) =>
        Manifests.Read(string.Create(CultureInfo.InvariantCulture, $"""
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata:
              name: web
            spec:
              replicas: 3
              selector:
                matchLabels: {"{"}app: web{"}"}
              strategy:
                canary:
                  steps:
                  - experiment:
            {string.Join("\n", experiment.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "          " + l))}
                  - setWeight: 34
                  - pause: {"{"}duration: 10s{"}"}
              template:
                metadata:
                  labels: {"{"}app: web{"}"}
                spec:
                  containers:
                  - name: web
                    image: {image}

            """));

    private static ImmutableDictionary<string, AnalysisTemplate> Templates()
    {
        var (template, errors) = AnalysisTemplateReader.Read(ManifestLoader.Load(Template, "template.yaml").Objects.Single());
        errors.ShouldBeEmpty();
        return ImmutableDictionary<string, AnalysisTemplate>.Empty.Add(template!.Name, template);
    }

    private const string BaselineVsCanary = """
        duration: 30s
        templates:
        - {name: baseline, specRef: stable}
        - {name: canary, specRef: canary, replicas: 2}
        analyses:
        - {name: errors, templateName: error-rate}
        """;

    private static IEnumerable<FrameReplicaSet> Experiment(Frame frame) => frame.ReplicaSets.Where(rs => rs.Name.Contains("-0-", StringComparison.Ordinal));

    [Fact]
    public void Experiment_RunsBothTemplatesForItsDuration_ThenTheCanaryGoesOn()
    {
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1", BaselineVsCanary), [Canary("web:v2", BaselineVsCanary)])
        {
            Templates = Templates(),
            MetricValues = new Dictionary<(string, string), double> { [("error-rate", "web:v2")] = 0.01 },
        });

        result.Result.ShouldBe(SimulationOutcome.Complete);
        var running = result.Frames.First(f => f.Events.Any(e => e.StartsWith("Experiment web-", StringComparison.Ordinal) && e.Contains("running", StringComparison.Ordinal)));
        Experiment(running).Select(rs => $"{rs.Name[(rs.Name.LastIndexOf('-') + 1)..]} {rs.Image} {rs.Available}").Order(StringComparer.Ordinal).ToList()
            .ShouldBe(new List<string> { "baseline web:v1 1", "canary web:v2 2" }, "the stable template once, the canary's twice, both available");
        running.ReplicaSets.Where(rs => rs.Image == "web:v1" && !Experiment(running).Contains(rs)).Sum(rs => rs.Available).ShouldBe(3, "stable serves in full beside them");
        var done = result.Frames.First(f => f.Events.Any(e => e.Contains("successful: ran for 30s", StringComparison.Ordinal)));
        done.T.ShouldBe(running.T + 30);
        result.Frames.SelectMany(f => f.Events).Count(e => e.StartsWith("measured error-rate = 0.01", StringComparison.Ordinal)).ShouldBe(2);
        result.Frames.First(f => f.T > done.T && f.Phase == "Paused").ShouldNotBeNull("the steps after the experiment run");
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Image.ShouldBe("web:v2", "the experiment's replica sets are deleted");
    }

    [Fact]
    public void Experiment_AFailedAnalysisAbortsTheCanary_AndTheExperimentGoes()
    {
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1", BaselineVsCanary), [Canary("web:v2", BaselineVsCanary)])
        {
            Templates = Templates(),
            MetricValues = new Dictionary<(string, string), double> { [("error-rate", "web:v2")] = 0.5 },
        });

        result.Result.ShouldBe(SimulationOutcome.Aborted);
        result.Frames.SelectMany(f => f.Events).ShouldContain(e => e.Contains("experiment web-", StringComparison.Ordinal)
            && e.Contains("failed: metric \"error-rate\" assessed Failed", StringComparison.Ordinal));
        result.Frames.ShouldNotContain(f => f.Phase == "Paused", "the steps after the experiment never run");
        result.Frames[^1].ReplicaSets.Where(rs => rs.Replicas > 0).ShouldHaveSingleItem().Image.ShouldBe("web:v1");
    }

    [Fact]
    public void Experiment_WithoutDuration_EndsWhenItsRequiredAnalysisCompletes()
    {
        const string experiment = """
            templates:
            - {name: canary, specRef: canary}
            analyses:
            - {name: errors, templateName: error-rate, requiredForCompletion: true}
            """;
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1", experiment), [Canary("web:v2", experiment)])
        {
            Templates = Templates(),
            MetricValues = new Dictionary<(string, string), double> { [("error-rate", "web:v2")] = 0.01 },
        });

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.SelectMany(f => f.Events).ShouldContain(e => e.Contains("successful: its required analysis completed", StringComparison.Ordinal));
    }

    [Fact]
    public void Experiment_WithoutDurationOrRequiredAnalysis_RunsUntilPromoted()
    {
        const string experiment = "templates:\n- {name: preview, specRef: canary}";
        var stalled = Simulator.Run(new SimulationOptions(Canary("web:v1", experiment), [Canary("web:v2", experiment)]) { MaxDuration = TimeSpan.FromHours(1) });
        stalled.Result.ShouldNotBe(SimulationOutcome.Complete);
        stalled.Frames[^1].ReplicaSets.Where(rs => rs.Replicas > 0).Count().ShouldBe(2, "stable and the experiment's preview");

        var promoted = Simulator.Run(new SimulationOptions(Canary("web:v1", experiment), [Canary("web:v2", experiment)])
        {
            Events = [new ScriptedEvent(TimeSpan.FromMinutes(2), ScriptedAction.Promote, "2m:promote")],
        });
        promoted.Result.ShouldBe(SimulationOutcome.Complete);
        promoted.Frames.SelectMany(f => f.Events).ShouldContain(e => e.Contains("successful: promoted", StringComparison.Ordinal));
    }

    [Fact]
    public void Experiment_TemplateWithLabelsOfItsOwn_RunsPodsTheRolloutsSelectorDoesNotTake()
    {
        const string experiment = """
            duration: 10s
            templates:
            - name: preview
              specRef: canary
              selector: {matchLabels: {app: web-preview}}
              metadata: {labels: {app: web-preview}}
            """;
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1", experiment), [Canary("web:v2", experiment)]));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        var running = result.Frames.First(f => f.Events.Any(e => e.Contains("Experiment web-", StringComparison.Ordinal) && e.Contains("running", StringComparison.Ordinal)));
        Experiment(running).ShouldHaveSingleItem().Available.ShouldBe(1);
    }
}
