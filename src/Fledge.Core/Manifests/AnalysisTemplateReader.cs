using System.Collections.Immutable;
using Fledge.Core.Analysis;
using Fledge.Core.Validation;

namespace Fledge.Core.Manifests;

/// <summary>Reads an AnalysisTemplate and checks it (arguments filled with their defaults, or a placeholder, so conditions parse).</summary>
public static class AnalysisTemplateReader
{
    private static readonly string[] Providers = ["fledge", "judge", "prometheus", "web", "kubernetes", "job"];

    public const string ClusterKind = "ClusterAnalysisTemplate";

    /// <summary>
    /// A ClusterAnalysisTemplate is kept beside the AnalysisTemplates under "ClusterAnalysisTemplate/NAME", which is how a
    /// rollout's template reference with clusterScope: true names it; an AnalysisTemplate of the same name is another one.
    /// </summary>
    public static string ClusterKey(string name) => $"{ClusterKind}/{name}";

    /// <summary>An AnalysisRun: one run's metrics and arguments, read like a template and measured by `fledge analysis run`.</summary>
    public const string RunKind = "AnalysisRun";

    /// <summary>What to do with an AnalysisRun instead of applying it: Fledge's runs belong to their rollout.</summary>
    public const string RunAdvice =
        "an AnalysisRun is one run of an analysis, and Fledge keeps a rollout's runs in the rollout's status: measure this one now with " +
        "`fledge analysis run -f FILE`, or apply its metrics as an AnalysisTemplate (kind: AnalysisTemplate) and name it in the rollout's analysis";

    /// <summary>How an AnalysisRun is told apart from a template of the same name.</summary>
    public static string RunKey(string name) => $"{RunKind}/{name}";

    public static (AnalysisTemplate? Template, IReadOnlyList<ManifestError> Errors) Read(ManifestObject obj)
    {
        var resource = (AnalysisTemplateResource)obj.Resource;
        var errors = new List<FieldError>();
        var name = resource.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required("metadata.name"));
        }

        PodTemplateValidator.ValidateMetadata(resource.Metadata, "metadata", errors);
        if (resource.Spec?.Terminate is not null && obj.Kind != RunKind)
        {
            errors.Add(FieldError.Forbidden("spec.terminate", $"only an AnalysisRun is terminated, not an {obj.Kind}; remove it"));
        }

        var writtenArgs = resource.Spec?.Args ?? [];
        for (var i = 0; i < writtenArgs.Count; i++)
        {
            if (writtenArgs[i].ValueFrom is { } from)
            {
                if (from.SecretKeyRef is not { Name.Length: > 0, Key.Length: > 0 } || from.FieldRef is not null || from.PodTemplateHashValue is not null)
                {
                    errors.Add(FieldError.Invalid($"spec.args[{i}].valueFrom", "{...}",
                        "a template's argument reads a Secret: valueFrom: {secretKeyRef: {name: SECRET, key: KEY}}; fieldRef and podTemplateHashValue are given by the rollout's analysis args"));
                }

                if (writtenArgs[i].Value is not null)
                {
                    errors.Add(FieldError.Invalid($"spec.args[{i}].value", writtenArgs[i].Value, "may not be set together with valueFrom; keep one of them"));
                }
            }
        }

        var args = writtenArgs.Select(a => new AnalysisArg(a.Name ?? "", a.Value)
        {
            Secret = a.ValueFrom?.SecretKeyRef is { Name: { } secret, Key: { } key } ? new SecretKeyRef(secret, key) : null,
        }).ToImmutableArray();
        var metrics = ImmutableArray.CreateBuilder<MetricTemplate>();
        var source = resource.Spec?.Metrics ?? [];
        if (source.Count == 0)
        {
            errors.Add(FieldError.Required("spec.metrics", "an analysis needs at least one metric"));
        }

        ValidateOptions(resource.Spec?.DryRun, resource.Spec?.MeasurementRetention, "spec", errors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < source.Count; i++)
        {
            var m = source[i];
            if (string.IsNullOrEmpty(m.Name))
            {
                errors.Add(FieldError.Required($"spec.metrics[{i}].name"));
            }
            else if (!names.Add(m.Name))
            {
                errors.Add(FieldError.Duplicate($"spec.metrics[{i}].name", m.Name));
            }

            if (m.Provider is not { Count: 1 } provider)
            {
                errors.Add(FieldError.Required($"spec.metrics[{i}].provider", $"name exactly one provider: {string.Join(", ", Providers)}"));
                continue;
            }

            var (kind, settings) = provider.First();
            if (!Providers.Contains(kind))
            {
                errors.Add(FieldError.NotSupported($"spec.metrics[{i}].provider", kind, Providers));
                continue;
            }

            var written = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in settings ?? [])
            {
                string? text;
                try
                {
                    text = Setting(kind, key, value);
                    if (text is not null && Structured.Contains((kind, key)))
                    {
                        // As written, with YAML's types (backoffLimit: 0 is a number, args: ["0"] text): from the node itself
                        text = Written(obj.Node, i, kind, key) is { } node ? YamlJson.ToJson(node)?.ToJsonString() ?? text : text;
                    }
                }
                catch (UnquotedTemplateException)
                {
                    errors.Add(FieldError.Invalid($"spec.metrics[{i}].provider.{kind}.{key}", "{...}",
                        "a value written {{args.NAME}} without quotes is read by YAML as a mapping, not text: write it in quotes, \"{{args.NAME}}\""));
                    continue;
                }

                if (text is not null)
                {
                    written[key] = text;
                }
                else
                {
                    errors.Add(FieldError.Forbidden($"spec.metrics[{i}].provider.{kind}.{key}", kind == "web" && key == "authentication"
                        ? "Fledge's web provider does not take authentication (oauth2, sigv4): put a token in headers ([{key: Authorization, value: ...}]) or leave it out"
                        : $"Fledge's {kind} provider reads {key} as one value (text or a number); nested fields are not supported: write one value or leave {key} out"));
                }
            }

            metrics.Add(new MetricTemplate(m.Name ?? "", m.Interval?.Value, m.Count?.Value, m.InitialDelay?.Value, m.SuccessCondition, m.FailureCondition,
                m.FailureLimit?.Value, m.InconclusiveLimit?.Value, m.ConsecutiveErrorLimit?.Value, kind, written.ToImmutableSortedDictionary(StringComparer.Ordinal))
            {
                ConsecutiveSuccessLimit = m.ConsecutiveSuccessLimit?.Value,
            });
        }

        var located = errors.Select(e => obj.Error(e.Field, e.ToString())).ToList();
        if (located.Count > 0)
        {
            return (null, located);
        }

        var templateKey = obj.Kind switch
        {
            ClusterKind => ClusterKey(name!),
            RunKind => RunKey(name!),
            _ => name!,
        };
        var template = new AnalysisTemplate(templateKey, args, metrics.ToImmutable())
        {
            Options = OptionsOf(resource.Spec?.DryRun, resource.Spec?.MeasurementRetention),
        };
        var placeholders = args.Where(a => a.Value is null).ToDictionary(a => a.Name, _ => "0", StringComparer.Ordinal);
        var (_, resolveErrors) = template.Resolve(placeholders);
        return resolveErrors.Count > 0
            ? (null, resolveErrors.Select(e => new ManifestError(obj.Source, obj.Line, 1, e)).ToList())
            : (template, []);
    }

    /// <summary>dryRun and measurementRetention as written (a template's or a rollout's).</summary>
    public static MetricOptions OptionsOf(List<DryRunResource>? dryRun, List<MeasurementRetentionResource>? retention) =>
        dryRun is null && retention is null ? MetricOptions.None : new(
            [.. (dryRun ?? []).Select(d => d.MetricName ?? "")],
            [.. (retention ?? []).Select(r => (r.MetricName ?? "", r.Limit ?? MetricMeasurementsRetained))]);

    private const int MetricMeasurementsRetained = Rollouts.MetricMeasurements.Retained;

    /// <summary>Checks dryRun and measurementRetention entries: a metric name (a regular expression) and a limit of at least 1.</summary>
    public static void ValidateOptions(List<DryRunResource>? dryRun, List<MeasurementRetentionResource>? retention, string path, List<FieldError> errors)
    {
        for (var i = 0; i < (dryRun?.Count ?? 0); i++)
        {
            CheckPattern(dryRun![i].MetricName, $"{path}.dryRun[{i}].metricName", errors);
        }

        for (var i = 0; i < (retention?.Count ?? 0); i++)
        {
            CheckPattern(retention![i].MetricName, $"{path}.measurementRetention[{i}].metricName", errors);
            if (retention[i].Limit is not > 0)
            {
                errors.Add(FieldError.Invalid($"{path}.measurementRetention[{i}].limit", retention[i].Limit ?? 0, "must be greater than or equal to 1"));
            }
        }
    }

    private static void CheckPattern(string? pattern, string field, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            errors.Add(FieldError.Required(field, "a metric's name, or a regular expression such as .* for every metric"));
            return;
        }

        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(50));
        }
        catch (ArgumentException e)
        {
            errors.Add(FieldError.Invalid(field, pattern, $"not a regular expression: {e.Message}"));
        }
    }

    /// <summary>spec.metrics[index].provider.KIND.KEY as written, or null.</summary>
    private static YamlDotNet.RepresentationModel.YamlNode? Written(YamlDotNet.RepresentationModel.YamlMappingNode root, int index, string kind, string key)
    {
        static YamlDotNet.RepresentationModel.YamlNode? Child(YamlDotNet.RepresentationModel.YamlNode? node, string name) =>
            node is YamlDotNet.RepresentationModel.YamlMappingNode mapping
            && mapping.Children.TryGetValue(new YamlDotNet.RepresentationModel.YamlScalarNode(name), out var value) ? value : null;
        var metrics = Child(root, "spec") is { } spec ? Child(spec, "metrics") as YamlDotNet.RepresentationModel.YamlSequenceNode : null;
        return metrics is not null && index < metrics.Children.Count ? Child(Child(Child(metrics.Children[index], "provider"), kind), key) : null;
    }

    /// <summary>The web provider's settings that are structures (Argo's headers list and jsonBody), kept as their JSON.</summary>
    private static readonly HashSet<(string Kind, string Key)> Structured = [("web", "headers"), ("web", "jsonBody"), ("job", "spec"), ("job", "metadata")];

    /// <summary>A provider setting as text: a string as written, a number or boolean as YAML writes it, a structure the provider reads as JSON; null when it is a structure the provider does not take.</summary>
    private static string? Setting(string kind, string key, object? value) => value switch
    {
        null => "",
        string text => text,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } element => element.GetString(),
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number or System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False } element => element.GetRawText(),
        System.Text.Json.JsonElement element when Structured.Contains((kind, key)) => element.GetRawText(),
        IConvertible convertible when value is not System.Collections.IEnumerable => convertible.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ when Structured.Contains((kind, key)) => Json(value)?.ToJsonString(),
        _ => null,
    };

    /// <summary>
    /// A structure as the YAML reader gives it (mappings, sequences, text) in JSON; null when a mapping has a key that is not
    /// text, which is how YAML reads an unquoted {{args.NAME}}.
    /// </summary>
    private static System.Text.Json.Nodes.JsonNode? Json(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string text:
                return System.Text.Json.Nodes.JsonValue.Create(text);
            case System.Text.Json.JsonElement element:
                return System.Text.Json.Nodes.JsonNode.Parse(element.GetRawText());
            case System.Collections.IDictionary map:
                var obj = new System.Text.Json.Nodes.JsonObject();
                foreach (System.Collections.DictionaryEntry entry in map)
                {
                    if (entry.Key is not string name)
                    {
                        throw new UnquotedTemplateException();
                    }

                    obj[name] = Json(entry.Value);
                }

                return obj;
            case System.Collections.IEnumerable list:
                var array = new System.Text.Json.Nodes.JsonArray();
                foreach (var item in list)
                {
                    array.Add(Json(item));
                }

                return array;
            case IConvertible convertible:
                return System.Text.Json.Nodes.JsonValue.Create(convertible.ToString(System.Globalization.CultureInfo.InvariantCulture));
            default:
                return System.Text.Json.Nodes.JsonValue.Create(value.ToString());
        }
    }

    private sealed class UnquotedTemplateException : Exception;
}
