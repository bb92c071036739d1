using YamlDotNet.RepresentationModel;

namespace Fledge.Core.Manifests;

/// <summary>One object read from a file: its kind, name, typed resource and where it was written.</summary>
public sealed record ManifestObject(string Source, string ApiVersion, string Kind, string Name, object Resource, YamlMappingNode Node)
{
    /// <summary>How people refer to it in messages: Rollout "web".</summary>
    public string Display => $"{Kind} \"{Name}\"";

    public int Line => (int)Node.Start.Line;

    /// <summary>An error about a field of this object, located at that field (or its nearest written parent).</summary>
    public ManifestError Error(string fieldPath, string message)
    {
        var node = YamlPaths.Find(Node, fieldPath);
        return new ManifestError(Source, (int)node.Start.Line, (int)node.Start.Column, $"{Display}: {message}");
    }
}
