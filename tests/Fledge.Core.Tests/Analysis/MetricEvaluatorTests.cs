using System.Collections.Immutable;
using Fledge.Core.Analysis;

namespace Fledge.Core.Tests.Analysis;

public sealed class MetricEvaluatorTests
{
    private static readonly DateTimeOffset T0 = Given.T0;

    private static ConditionExpression? Condition(string? text)
    {
        if (text is null)
        {
            return null;
        }

        ConditionExpression.TryParse(text, out var expression, out var error).ShouldBeTrue(error);
        return expression;
    }

    private static AnalysisMetric Metric(string? success = "result < 0.05", string? failure = null, int? count = 3, int failureLimit = 0,
        int inconclusiveLimit = 0, int errorLimit = 4) =>
        new("error-rate", new MetricProvider("fledge", ImmutableSortedDictionary<string, string>.Empty), Condition(success), Condition(failure),
            TimeSpan.FromSeconds(10), count, TimeSpan.Zero, failureLimit, inconclusiveLimit, errorLimit);

    private static Measurement M(AnalysisMetric metric, double value, int second = 0) =>
        MeasurementAssessor.Assess(metric, [value], T0.AddSeconds(second), T0.AddSeconds(second));

    [Theory]
    [InlineData("result < 0.05", null, 0.01, AnalysisPhase.Successful)]
    [InlineData("result < 0.05", null, 0.3, AnalysisPhase.Failed)]
    [InlineData(null, "result >= 0.1", 0.3, AnalysisPhase.Failed)]
    [InlineData(null, "result >= 0.1", 0.01, AnalysisPhase.Successful)]
    [InlineData("result < 0.05", "result > 0.2", 0.1, AnalysisPhase.Inconclusive)]
    [InlineData("result < 0.05", "result > 0.2", 0.3, AnalysisPhase.Failed)]
    [InlineData(null, null, 42, AnalysisPhase.Successful)]
    public void Assess_Conditions_GiveArgoPhases(string? success, string? failure, double value, AnalysisPhase expected) =>
        M(Metric(success, failure), value).Phase.ShouldBe(expected);

    [Fact]
    public void Assess_FailedMeasurement_NamesMetricValueAndCondition() =>
        M(Metric(), 0.3).Message.ShouldBe("error-rate = 0.3 does not meet the success condition \"result < 0.05\"");

    [Fact]
    public void Evaluate_OneFailureWithDefaultLimit_FailsTheMetric()
    {
        var metric = Metric();

        MetricEvaluator.Evaluate(metric, [M(metric, 0.01), M(metric, 0.3)]).Phase.ShouldBe(AnalysisPhase.Failed);
    }

    [Fact]
    public void Evaluate_FailuresWithinLimit_StillSucceedsAtCount()
    {
        var metric = Metric(failureLimit: 1);

        MetricEvaluator.Evaluate(metric, [M(metric, 0.3), M(metric, 0.01), M(metric, 0.02)]).Phase.ShouldBe(AnalysisPhase.Successful);
    }

    [Fact]
    public void Evaluate_BeforeCount_IsRunning()
    {
        var metric = Metric();

        MetricEvaluator.Evaluate(metric, [M(metric, 0.01)]).Phase.ShouldBe(AnalysisPhase.Running);
    }

    [Fact]
    public void Evaluate_InconclusiveMeasurement_MakesTheMetricInconclusive()
    {
        var metric = Metric(failure: "result > 0.2");

        MetricEvaluator.Evaluate(metric, [M(metric, 0.1)]).Phase.ShouldBe(AnalysisPhase.Inconclusive);
    }

    [Fact]
    public void Evaluate_ErrorsNeverCountAsSuccess()
    {
        var metric = Metric(count: 1, errorLimit: 2);
        var errors = Enumerable.Range(0, 3).Select(i => Measurement.Error(T0.AddSeconds(i), "connection refused")).ToList();

        MetricEvaluator.Evaluate(metric, errors.Take(2).ToList()).Phase.ShouldBe(AnalysisPhase.Running);
        var result = MetricEvaluator.Evaluate(metric, errors);
        result.Phase.ShouldBe(AnalysisPhase.Error);
        result.Message.ShouldContain("3 consecutive errors");
    }

    [Fact]
    public void Evaluate_ErrorsThenSuccess_ResetTheStreak()
    {
        var metric = Metric(count: 2, errorLimit: 1);

        MetricEvaluator.Evaluate(metric, [Measurement.Error(T0, "down"), M(metric, 0.01), Measurement.Error(T0, "down"), M(metric, 0.01)])
            .Phase.ShouldBe(AnalysisPhase.Successful);
    }

    [Fact]
    public void Overall_AnyFailed_IsFailedAndAllSuccessful_IsSuccessful()
    {
        MetricResult R(AnalysisPhase phase) => new("m", phase, 0, 0, 0, 0, "");

        MetricEvaluator.Overall([R(AnalysisPhase.Successful), R(AnalysisPhase.Failed), R(AnalysisPhase.Error)]).ShouldBe(AnalysisPhase.Failed);
        MetricEvaluator.Overall([R(AnalysisPhase.Successful), R(AnalysisPhase.Inconclusive)]).ShouldBe(AnalysisPhase.Inconclusive);
        MetricEvaluator.Overall([R(AnalysisPhase.Successful), R(AnalysisPhase.Running)]).ShouldBe(AnalysisPhase.Running);
        MetricEvaluator.Overall([R(AnalysisPhase.Successful), R(AnalysisPhase.Successful)]).ShouldBe(AnalysisPhase.Successful);
    }

    [Fact]
    public void NextMeasurement_FollowsInitialDelayThenInterval()
    {
        var metric = Metric() with { InitialDelay = TimeSpan.FromSeconds(30) };

        MetricEvaluator.NextMeasurement(metric, [], T0).ShouldBe(T0.AddSeconds(30));
        MetricEvaluator.NextMeasurement(metric, [M(metric, 0.01, 30)], T0).ShouldBe(T0.AddSeconds(40));
        MetricEvaluator.NextMeasurement(metric, [M(metric, 0.3, 30)], T0).ShouldBeNull();
    }

    [Fact]
    public void Measurements_AManyMeasurementRun_KeepsTheLastTenAndCountsThemAll()
    {
        var metric = Metric(count: 25);
        var measurements = new Fledge.Core.Rollouts.MetricMeasurements("error-rate", []);
        for (var i = 0; i < 24; i++)
        {
            measurements = measurements.Add(M(metric, 0.01, i * 10));
        }

        measurements.Measurements.Length.ShouldBe(Fledge.Core.Rollouts.MetricMeasurements.Retained);
        measurements.Successful.ShouldBe(24);
        measurements.Measurements[^1].StartedAt.ShouldBe(T0.AddSeconds(230));
        MetricEvaluator.Evaluate(metric, measurements).Phase.ShouldBe(AnalysisPhase.Running);
        MetricEvaluator.NextMeasurement(metric, measurements, T0).ShouldBe(T0.AddSeconds(240));
        MetricEvaluator.Evaluate(metric, measurements.Add(M(metric, 0.01, 240))).Phase.ShouldBe(AnalysisPhase.Successful);
    }

    [Fact]
    public void Measurements_ErrorsInARowBeyondTheKeptOnes_StillCountTowardTheLimit()
    {
        var metric = Metric(count: null, errorLimit: 11);
        var error = Measurement.Error(T0, "cannot reach Prometheus");
        var measurements = new Fledge.Core.Rollouts.MetricMeasurements("error-rate", []).Add(M(metric, 0.01));
        for (var i = 0; i < 11; i++)
        {
            measurements = measurements.Add(error);
        }

        MetricEvaluator.Evaluate(metric, measurements).Phase.ShouldBe(AnalysisPhase.Running);
        measurements = measurements.Add(error);
        measurements.Measurements.ShouldAllBe(m => m.Phase == AnalysisPhase.Error);
        measurements.ConsecutiveErrors.ShouldBe(12);
        MetricEvaluator.Evaluate(metric, measurements).Phase.ShouldBe(AnalysisPhase.Error);
    }

    [Fact]
    public void ConsecutiveSuccessLimit_SucceedsOnceThatManyInARowSucceed()
    {
        var metric = Metric(count: 10, failureLimit: 5) with { ConsecutiveSuccessLimit = 3 };
        var measurements = new Fledge.Core.Rollouts.MetricMeasurements("error-rate", []);
        foreach (var (value, i) in new[] { 0.01, 0.3, 0.01, 0.01 }.Select((v, i) => (v, i)))
        {
            measurements = measurements.Add(M(metric, value, i * 10));
        }

        MetricEvaluator.Evaluate(metric, measurements).Phase.ShouldBe(AnalysisPhase.Running, "two in a row after the failure");
        measurements = measurements.Add(M(metric, 0.01, 40));
        measurements.ConsecutiveSuccesses.ShouldBe(3);
        MetricEvaluator.Evaluate(metric, measurements).Phase.ShouldBe(AnalysisPhase.Successful, "three in a row: done before count");
    }

    [Fact]
    public void ConsecutiveSuccessLimit_NotReachedByCount_IsInconclusive()
    {
        var metric = Metric(count: 4, failureLimit: 3) with { ConsecutiveSuccessLimit = 3 };
        var measurements = new[] { 0.01, 0.3, 0.01, 0.3 }.Select((v, i) => M(metric, v, i * 10)).ToList();

        var result = MetricEvaluator.Evaluate(metric, measurements);

        result.Phase.ShouldBe(AnalysisPhase.Inconclusive);
        result.Message.ShouldContain("consecutiveSuccessLimit 3");
    }

    [Fact]
    public void DryRunAndRetention_AreAppliedByMetricName()
    {
        var options = new MetricOptions(["error-.*"], [("error-rate", 3)]);
        var metric = options.Apply(Metric());
        metric.DryRun.ShouldBeTrue();
        metric.Retain.ShouldBe(3);
        options.Apply(Metric() with { Name = "latency" }).DryRun.ShouldBeFalse("the pattern matches the whole name");

        var status = Fledge.Core.Rollouts.CanaryStatus.Initial with
        {
            StepAnalysis = new Fledge.Core.Rollouts.AnalysisRunStatus("web-2-step1", 0, T0, []),
        };
        for (var i = 0; i < 5; i++)
        {
            status = Fledge.Core.Planning.CanaryAnalysis.Record(status, background: false, metric, M(metric, 0.01, i));
        }

        var kept = status.StepAnalysis!.MeasurementsOf("error-rate");
        (kept.Measurements.Length, kept.Successful).ShouldBe((3, 5));
    }

    [Fact]
    public void DryRunMetric_IsMeasuredButNeverDecidesTheRun()
    {
        var deciding = Metric(count: 1);
        var dry = Metric(count: 1) with { Name = "latency", DryRun = true };
        var run = new Fledge.Core.Rollouts.AnalysisRunStatus("web-2-step1", 0, T0, []);
        var status = Fledge.Core.Rollouts.CanaryStatus.Initial with { StepAnalysis = run };
        status = Fledge.Core.Planning.CanaryAnalysis.Record(status, false, dry, M(dry, 0.9));
        Fledge.Core.Planning.CanaryAnalysis.Assess(status.StepAnalysis!, [deciding, dry]).Phase.ShouldBe(AnalysisPhase.Running, "the deciding metric has no measurement yet");

        status = Fledge.Core.Planning.CanaryAnalysis.Record(status, false, deciding, M(deciding, 0.01));

        Fledge.Core.Planning.CanaryAnalysis.Assess(status.StepAnalysis!, [deciding, dry]).Phase.ShouldBe(AnalysisPhase.Successful, "the dry run failed, and does not count");
        Fledge.Core.Planning.CanaryAnalysis.Assess(status.StepAnalysis!, [deciding, dry with { DryRun = false }]).Phase.ShouldBe(AnalysisPhase.Failed);
    }
}
