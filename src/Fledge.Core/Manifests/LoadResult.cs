namespace Fledge.Core.Manifests;

/// <summary>What a file held: the objects that could be read and every error found, all at once.</summary>
public sealed record LoadResult(IReadOnlyList<ManifestObject> Objects, IReadOnlyList<ManifestError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}
