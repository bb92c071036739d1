using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fledge.Cli.Output;

/// <summary>`-o yaml`: the same document as `-o json`, written as YAML the way kubectl writes it (strings quoted only where they must be).</summary>
internal static partial class YamlOutput
{
    public static void Write<T>(TextWriter output, T value)
    {
        var node = value as JsonNode ?? JsonSerializer.SerializeToNode(value, Json.Options);
        var stream = new YamlStream(new YamlDocument(Convert(node)));
        using var text = new StringWriter();
        stream.Save(text, assignAnchors: false);
        // YamlDotNet ends the document with "..."; kubectl does not.
        output.Write(text.ToString().TrimEnd().TrimEnd('.').TrimEnd() + "\n");
    }

    private static YamlNode Convert(JsonNode? node) => node switch
    {
        JsonObject obj => new YamlMappingNode(obj.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), Convert(p.Value)))),
        JsonArray array => new YamlSequenceNode(array.Select(Convert)),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => String(value.GetValue<string>()),
        JsonValue value => new YamlScalarNode(value.ToJsonString()),
        _ => new YamlScalarNode("null"),
    };

    /// <summary>A string plain when a YAML reader takes it back as the same string, double-quoted otherwise ("1", "true", timestamps, "a: b").</summary>
    private static YamlScalarNode String(string text) =>
        new(text) { Style = Plain().IsMatch(text) && !Keyword().IsMatch(text) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted };

    [GeneratedRegex(@"^[A-Za-z_/.][A-Za-z0-9_./@%+~=,()-]*(?::[A-Za-z0-9_./@%+~=,()-]+)*(?: [A-Za-z0-9_./@%+~=,()-]+(?::[A-Za-z0-9_./@%+~=,()-]+)*)*$")]
    private static partial Regex Plain();

    [GeneratedRegex("^(?i:y|n|yes|no|on|off|true|false|null|~|\\.nan|\\.inf|-\\.inf)$")]
    private static partial Regex Keyword();
}
