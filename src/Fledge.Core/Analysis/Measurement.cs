using System.Collections.Immutable;

namespace Fledge.Core.Analysis;

/// <summary>How a measurement, a metric or an analysis came out.</summary>
public enum AnalysisPhase
{
    Pending,
    Running,
    Successful,
    Failed,
    Inconclusive,
    Error,
}

/// <summary>One measurement of a metric: the value(s) read, its phase and, for errors, what went wrong.</summary>
public sealed record Measurement(AnalysisPhase Phase, ImmutableArray<double> Value, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Message)
{
    public static Measurement Error(DateTimeOffset at, string message) => new(AnalysisPhase.Error, [], at, at, message);

    public string ValueText => Value.Length == 1
        ? Value[0].ToString("G6", System.Globalization.CultureInfo.InvariantCulture)
        : "[" + string.Join(", ", Value.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))) + "]";
}
