using Fledge.Core.Kanarini;
using Fledge.Core.Manifests;

namespace Fledge.Cli.Input;

/// <summary>Reads the one CanaryDeployment a file holds (other kinds, such as Services, are skipped).</summary>
internal static class CanaryDeploymentFiles
{
    /// <summary>True when the file holds a CanaryDeployment (and reads without errors far enough to say so).</summary>
    public static bool Holds(string path) =>
        File.Exists(path) && ManifestLoader.LoadFile(path).Objects.Any(o => o.Resource is CanaryDeploymentResource);

    public static (CanaryDeployment? Deployment, IReadOnlyList<string> Errors) Read(string path)
    {
        var loaded = ManifestLoader.LoadFile(path);
        var errors = loaded.Errors.Select(e => e.ToString()).ToList();
        var candidates = loaded.Objects.Where(o => o.Resource is CanaryDeploymentResource).ToList();
        if (loaded.Succeeded && candidates.Count != 1)
        {
            errors.Add(candidates.Count == 0
                ? $"{path}: holds no CanaryDeployment; a CanaryDeployment simulation needs one in every file"
                : $"{path}: holds {candidates.Count} CanaryDeployments; simulate follows one, give each version its own file");
        }

        CanaryDeployment? deployment = null;
        foreach (var candidate in candidates.Take(1))
        {
            var (read, readErrors) = CanaryDeploymentReader.Read(candidate);
            errors.AddRange(readErrors.Select(e => e.ToString()));
            deployment = read;
        }

        return (errors.Count == 0 ? deployment : null, errors);
    }
}
