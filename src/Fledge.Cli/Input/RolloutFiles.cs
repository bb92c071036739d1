using Fledge.Core.Analysis;
using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;

namespace Fledge.Cli.Input;

/// <summary>Reads the one rollout a file holds (other kinds, such as Services, are skipped).</summary>
internal static class RolloutFiles
{
    public static (Rollout? Rollout, IReadOnlyList<string> Errors) ReadOne(string path)
    {
        var (rollout, _, errors) = Read(path);
        return rollout is null && errors.Count == 0
            ? (null, [$"{path}: holds no Rollout or Deployment; simulate needs one"])
            : (rollout, errors);
    }

    /// <summary>The one rollout of a file and the AnalysisTemplates beside it.</summary>
    public static (Rollout? Rollout, IReadOnlyList<AnalysisTemplate> Templates, IReadOnlyList<string> Errors) Read(string path)
    {
        var loaded = ManifestLoader.LoadFile(path);
        var errors = loaded.Errors.Select(e => e.ToString()).ToList();
        var templates = new List<AnalysisTemplate>();
        foreach (var obj in loaded.Objects.Where(o => o.Resource is AnalysisTemplateResource))
        {
            var (template, templateErrors) = AnalysisTemplateReader.Read(obj);
            errors.AddRange(templateErrors.Select(e => e.ToString()));
            if (template is not null)
            {
                templates.Add(template);
            }
        }

        var candidates = loaded.Objects.Where(RolloutReader.IsRollout).ToList();
        // A Deployment a Rollout of the file names in its workloadRef is that Rollout's template, not a rollout of its own.
        var referenced = WorkloadRefs.Referenced(candidates);
        var deployments = WorkloadRefs.DeploymentsOf(candidates.Where(c => referenced.Contains(c.Name)));
        candidates.RemoveAll(c => c.Resource is k8s.Models.V1Deployment && deployments.ContainsKey(c.Name));
        if (loaded.Succeeded && candidates.Count == 0 && templates.Count == 0)
        {
            errors.Add($"{path}: holds no Rollout or Deployment; simulate needs one (kinds found: {string.Join(", ", loaded.Objects.Select(o => o.Kind).Distinct())})");
        }
        else if (candidates.Count > 1)
        {
            errors.Add($"{path}: holds {candidates.Count} rollouts ({string.Join(", ", candidates.Select(c => c.Display))}); simulate follows one rollout, give each version its own file");
        }

        Rollout? rollout = null;
        foreach (var candidate in candidates.Take(1))
        {
            var (read, readErrors) = RolloutReader.Read(candidate, deployments.GetValueOrDefault);
            errors.AddRange(readErrors.Select(e => e.ToString()));
            rollout = read;
        }

        return (errors.Count == 0 ? rollout : null, templates, errors);
    }
}
