using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Fledge.Core.Analysis;

/// <summary>
/// An argument of a template: its name and default value (null when the rollout must pass one, or when it comes from
/// <see cref="Secret"/>, which only a cluster has: the operator reads it into the value).
/// </summary>
public sealed record AnalysisArg(string Name, string? Value)
{
    public SecretKeyRef? Secret { get; init; }
}

/// <summary>A key of a Secret in the template's namespace.</summary>
public sealed record SecretKeyRef(string Name, string Key);

/// <summary>A metric as a template writes it: text that may hold {{args.NAME}} until the arguments are known.</summary>
public sealed record MetricTemplate(
    string Name,
    string? Interval,
    string? Count,
    string? InitialDelay,
    string? SuccessCondition,
    string? FailureCondition,
    string? FailureLimit,
    string? InconclusiveLimit,
    string? ConsecutiveErrorLimit,
    string ProviderKind,
    ImmutableSortedDictionary<string, string> ProviderSettings)
{
    public string? ConsecutiveSuccessLimit { get; init; }
}

/// <summary>Metric names (regular expressions matching the whole name) that are dry runs, or keep a number of measurements.</summary>
public sealed record MetricOptions(ImmutableArray<string> DryRun, ImmutableArray<(string Metric, int Limit)> Retention)
{
    public static MetricOptions None { get; } = new([], []);

    public bool IsEmpty => DryRun.IsDefaultOrEmpty && Retention.IsDefaultOrEmpty;

    /// <summary>The metric with these options applied (on top of what it had).</summary>
    public AnalysisMetric Apply(AnalysisMetric metric)
    {
        if (IsEmpty)
        {
            return metric;
        }

        var dry = metric.DryRun || (!DryRun.IsDefaultOrEmpty && DryRun.Any(pattern => Matches(pattern, metric.Name)));
        var retain = Retention.IsDefaultOrEmpty ? metric.Retain : Retention.Where(r => Matches(r.Metric, metric.Name)).Select(r => (int?)r.Limit).FirstOrDefault() ?? metric.Retain;
        return metric with { DryRun = dry, Retain = retain };
    }

    public static bool Matches(string pattern, string name)
    {
        try
        {
            return Regex.IsMatch(name, $"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        }
        catch (ArgumentException)
        {
            return pattern == name;
        }
    }

    public bool Equals(MetricOptions? other) =>
        other is not null && DryRun.AsSpan().SequenceEqual(other.DryRun.AsSpan()) && Retention.AsSpan().SequenceEqual(other.Retention.AsSpan());

    public override int GetHashCode() => HashCode.Combine(DryRun.IsDefault ? 0 : DryRun.Length, Retention.IsDefault ? 0 : Retention.Length);
}

/// <summary>
/// An AnalysisTemplate: named metrics with their providers and conditions, and the arguments they take.
/// <see cref="Resolve"/> fills in the arguments (the rollout's, then the defaults) and checks every field.
/// </summary>
public sealed partial record AnalysisTemplate(string Name, ImmutableArray<AnalysisArg> Args, ImmutableArray<MetricTemplate> Metrics)
{
    public bool Equals(AnalysisTemplate? other) => other is not null && Name == other.Name && Args.SequenceEqual(other.Args) && Metrics.SequenceEqual(other.Metrics);

    public override int GetHashCode() => HashCode.Combine(Name, Metrics.Length);

    /// <summary>The template's own dryRun and measurementRetention.</summary>
    public MetricOptions Options { get; init; } = MetricOptions.None;

    /// <summary>The metrics with the arguments filled in, or every error found (each naming the field).</summary>
    public (ImmutableArray<AnalysisMetric> Metrics, IReadOnlyList<string> Errors) Resolve(IReadOnlyDictionary<string, string> arguments)
    {
        var errors = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arg in Args)
        {
            if (arguments.TryGetValue(arg.Name, out var given))
            {
                values[arg.Name] = given;
            }
            else if (arg.Value is not null)
            {
                values[arg.Name] = arg.Value;
            }
        }

        string? Fill(string? text, string field)
        {
            if (text is null)
            {
                return null;
            }

            return ArgPattern().Replace(text, match =>
            {
                var name = match.Groups[1].Value;
                if (values.TryGetValue(name, out var value))
                {
                    return value;
                }

                errors.Add(Args.FirstOrDefault(a => a.Name == name)?.Secret is { } secret
                    ? $"{field}: args.{name} comes from key \"{secret.Key}\" of Secret \"{secret.Name}\", which only a cluster has: there the operator reads it "
                      + "(it needs get on secrets in the namespace: deploy/kubernetes/secret-reader.yaml); on one host pass the value from the rollout's analysis args"
                    : $"{field}: args.{name} has no value: declare it in spec.args with a value, or pass it from the rollout's analysis args");
                return "";
            });
        }

        var metrics = ImmutableArray.CreateBuilder<AnalysisMetric>();
        for (var i = 0; i < Metrics.Length; i++)
        {
            var m = Metrics[i];
            var path = $"AnalysisTemplate \"{Name}\": spec.metrics[{i}]";
            var settings = m.ProviderSettings.ToImmutableSortedDictionary(p => p.Key, p => Fill(p.Value, $"{path}.provider.{m.ProviderKind}.{p.Key}") ?? "", StringComparer.Ordinal);
            var success = Condition(Fill(m.SuccessCondition, $"{path}.successCondition"), $"{path}.successCondition", errors);
            var failure = Condition(Fill(m.FailureCondition, $"{path}.failureCondition"), $"{path}.failureCondition", errors);
            var interval = Duration(Fill(m.Interval, $"{path}.interval"), $"{path}.interval", errors);
            var delay = Duration(Fill(m.InitialDelay, $"{path}.initialDelay"), $"{path}.initialDelay", errors);
            var count = Count(Fill(m.Count, $"{path}.count"), $"{path}.count", errors, minimum: 1);
            var failureLimit = Count(Fill(m.FailureLimit, $"{path}.failureLimit"), $"{path}.failureLimit", errors, minimum: 0);
            var inconclusiveLimit = Count(Fill(m.InconclusiveLimit, $"{path}.inconclusiveLimit"), $"{path}.inconclusiveLimit", errors, minimum: 0);
            var errorLimit = Count(Fill(m.ConsecutiveErrorLimit, $"{path}.consecutiveErrorLimit"), $"{path}.consecutiveErrorLimit", errors, minimum: 0);
            var successLimit = Count(Fill(m.ConsecutiveSuccessLimit, $"{path}.consecutiveSuccessLimit"), $"{path}.consecutiveSuccessLimit", errors, minimum: 0);
            metrics.Add(Options.Apply(new AnalysisMetric(m.Name, new MetricProvider(m.ProviderKind, settings), success, failure, interval, count,
                delay ?? TimeSpan.Zero, failureLimit ?? 0, inconclusiveLimit ?? 0, errorLimit ?? 4)
            {
                ConsecutiveSuccessLimit = successLimit is > 0 ? successLimit : null,
            }));
        }

        return (metrics.ToImmutable(), errors);
    }

    private static ConditionExpression? Condition(string? text, string field, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (ConditionExpression.TryParse(text, out var expression, out var error))
        {
            return expression;
        }

        errors.Add($"{field}: Invalid value: \"{text}\": {error}");
        return null;
    }

    private static TimeSpan? Duration(string? text, string field, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (Durations.TryParse(text, out var duration))
        {
            return duration;
        }

        errors.Add($"{field}: Invalid value: \"{text}\": must be a number of seconds or a duration such as 10s, 5m or 1h");
        return null;
    }

    private static int? Count(string? text, string field, List<string> errors, int minimum)
    {
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum)
        {
            return value;
        }

        errors.Add($"{field}: Invalid value: \"{text}\": must be a whole number of at least {minimum}");
        return null;
    }

    [GeneratedRegex(@"\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}")]
    private static partial Regex ArgPattern();
}
