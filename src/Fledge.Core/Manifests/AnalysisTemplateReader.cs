using System.Collections.Immutable;
using Fledge.Core.Analysis;
using Fledge.Core.Validation;

namespace Fledge.Core.Manifests;

/// <summary>Reads an AnalysisTemplate and checks it (arguments filled with their defaults, or a placeholder, so conditions parse).</summary>
public static class AnalysisTemplateReader
{
    private static readonly string[] Providers = ["fledge", "judge", "prometheus", "web", "kubernetes"];

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
        var args = (resource.Spec?.Args ?? []).Select(a => new AnalysisArg(a.Name ?? "", a.Value)).ToImmutableArray();
        var metrics = ImmutableArray.CreateBuilder<MetricTemplate>();
        var source = resource.Spec?.Metrics ?? [];
        if (source.Count == 0)
        {
            errors.Add(FieldError.Required("spec.metrics", "an analysis needs at least one metric"));
        }

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

            foreach (var (key, value) in settings ?? [])
            {
                if (value is not (string or null))
                {
                    errors.Add(FieldError.Forbidden($"spec.metrics[{i}].provider.{kind}.{key}",
                        $"Fledge's {kind} provider reads {key} as one value (text or a number); nested fields are not supported: write one value or leave {key} out"));
                }
            }

            metrics.Add(new MetricTemplate(m.Name ?? "", m.Interval?.Value, m.Count?.Value, m.InitialDelay?.Value, m.SuccessCondition, m.FailureCondition,
                m.FailureLimit?.Value, m.InconclusiveLimit?.Value, m.ConsecutiveErrorLimit?.Value, kind,
                (settings ?? []).Where(s => s.Value is string).ToImmutableSortedDictionary(s => s.Key, s => (string)s.Value!, StringComparer.Ordinal)));
        }

        var located = errors.Select(e => obj.Error(e.Field, e.ToString())).ToList();
        if (located.Count > 0)
        {
            return (null, located);
        }

        var template = new AnalysisTemplate(name!, args, metrics.ToImmutable());
        var placeholders = args.Where(a => a.Value is null).ToDictionary(a => a.Name, _ => "0", StringComparer.Ordinal);
        var (_, resolveErrors) = template.Resolve(placeholders);
        return resolveErrors.Count > 0
            ? (null, resolveErrors.Select(e => new ManifestError(obj.Source, obj.Line, 1, e)).ToList())
            : (template, []);
    }
}
