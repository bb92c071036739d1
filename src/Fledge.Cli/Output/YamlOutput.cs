using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Fledge.Cli.Output;

/// <summary>`-o yaml`: the same document as `-o json`, written as YAML.</summary>
internal static class YamlOutput
{
    public static void Write<T>(TextWriter output, T value)
    {
        var node = JsonSerializer.SerializeToNode(value, Json.Options);
        var stream = new YamlStream(new YamlDocument(Convert(node)));
        stream.Save(output, assignAnchors: false);
    }

    private static YamlNode Convert(JsonNode? node) => node switch
    {
        JsonObject obj => new YamlMappingNode(obj.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), Convert(p.Value)))),
        JsonArray array => new YamlSequenceNode(array.Select(Convert)),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => new YamlScalarNode(value.GetValue<string>()) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted },
        JsonValue value => new YamlScalarNode(value.ToJsonString()),
        _ => new YamlScalarNode("null"),
    };
}
