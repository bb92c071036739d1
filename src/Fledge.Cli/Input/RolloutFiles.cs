using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;

namespace Fledge.Cli.Input;

/// <summary>Reads the one rollout a file holds (other kinds, such as Services, are skipped).</summary>
internal static class RolloutFiles
{
    public static (Rollout? Rollout, IReadOnlyList<string> Errors) ReadOne(string path)
    {
        var loaded = ManifestLoader.LoadFile(path);
        var errors = loaded.Errors.Select(e => e.ToString()).ToList();
        var candidates = loaded.Objects.Where(RolloutReader.IsRollout).ToList();
        if (loaded.Succeeded && candidates.Count == 0)
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
            var (read, readErrors) = RolloutReader.Read(candidate);
            errors.AddRange(readErrors.Select(e => e.ToString()));
            rollout = read;
        }

        return (errors.Count == 0 ? rollout : null, errors);
    }
}
