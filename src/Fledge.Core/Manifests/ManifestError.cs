namespace Fledge.Core.Manifests;

/// <summary>A problem with an input file, located by file, line and column where known.</summary>
public sealed record ManifestError(string Source, int? Line, int? Column, string Message)
{
    public override string ToString() =>
        Line is { } line ? $"{Source}:{line}:{Column ?? 1}: {Message}" : $"{Source}: {Message}";
}
