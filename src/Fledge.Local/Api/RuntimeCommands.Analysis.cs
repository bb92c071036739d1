using Fledge.Core.Manifests;
using Fledge.Metrics;

namespace Fledge.Local.Api;

/// <summary>
/// `fledge analysis run`: an AnalysisTemplate's metrics measured once, now, by the runtime's providers (so the
/// built-in request metrics work too), to see what a template reads before a canary depends on it.
/// </summary>
internal sealed partial class RuntimeCommands
{
    public async Task<AnalysisRunResponse> RunAnalysisAsync(AnalysisRunRequest request)
    {
        var loaded = ManifestLoader.Load(request.Source.Content, request.Source.Name);
        var errors = loaded.Errors.Select(e => e.ToString()).ToList();
        var templates = new List<Core.Analysis.AnalysisTemplate>();
        foreach (var obj in loaded.Objects.Where(o => o.Resource is AnalysisTemplateResource))
        {
            if (obj.Resource is AnalysisTemplateResource { Spec.Terminate: true })
            {
                errors.Add($"{obj.Source}:{obj.Line}: {obj.Display}: spec.terminate: Forbidden: the run is terminated, so nothing is measured; remove terminate: true to measure it");
                continue;
            }

            var (template, templateErrors) = AnalysisTemplateReader.Read(obj);
            errors.AddRange(templateErrors.Select(e => e.ToString()));
            if (template is not null)
            {
                templates.Add(template);
            }
        }

        if (errors.Count > 0)
        {
            throw new CommandException(400, errors);
        }

        var chosen = request.Template is { } name
            ? templates.FirstOrDefault(t => t.Name == name || t.Name == AnalysisTemplateReader.RunKey(name))
                ?? throw new CommandException(400, $"{request.Source.Name}: no AnalysisTemplate \"{name}\"; it holds {string.Join(", ", templates.Select(t => t.Name))}")
            : templates.Count == 1 ? templates[0]
            : throw new CommandException(400, templates.Count == 0
                ? $"{request.Source.Name}: holds no AnalysisTemplate"
                : $"{request.Source.Name}: holds {templates.Count} AnalysisTemplates ({string.Join(", ", templates.Select(t => t.Name))}); choose one with --template");
        var (metrics, resolveErrors) = chosen.Resolve(request.Args);
        if (resolveErrors.Count > 0)
        {
            throw new CommandException(400, resolveErrors.Select(e => $"{e}; give it with --arg NAME=VALUE").ToList());
        }

        // Measured as a run that began long ago: the whole window of each metric counts.
        var context = new MeasureContext(DateTimeOffset.UnixEpoch);
        var measurements = new List<MeasurementSummary>();
        foreach (var metric in metrics)
        {
            var measurement = await providers.MeasureAsync(metric, context, CancellationToken.None);
            measurements.Add(new MeasurementSummary(metric.Name, metric.Provider.Kind, measurement.Value.IsDefault ? [] : measurement.Value,
                measurement.Phase.ToString(), measurement.Message));
        }

        return new AnalysisRunResponse(chosen.Name, measurements);
    }
}
