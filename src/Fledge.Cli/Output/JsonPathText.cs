using System.Globalization;
using System.Text.Json.Nodes;

namespace Fledge.Cli.Output;

/// <summary>
/// The part of kubectl's JSONPath that scripts use: a template of literal text and {.dotted.path} fields, where a
/// step may be name[N] or name[*] (every item). A field with several values prints them separated by spaces, a
/// string as it is, anything else as JSON; a missing field prints nothing.
/// </summary>
internal static class JsonPathText
{
    /// <summary>The template filled from <paramref name="document"/>; null (with <paramref name="error"/>) when the template is not one.</summary>
    public static string? Render(string template, JsonNode document, out string error)
    {
        error = "";
        var text = new System.Text.StringBuilder();
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf('{', at);
            if (open < 0)
            {
                text.Append(template, at, template.Length - at);
                break;
            }

            var close = template.IndexOf('}', open);
            if (close < 0 || template[open + 1] != '.' && close != open + 2)
            {
                error = $"\"{template}\": write fields as {{.path.to.field}}, e.g. {{.status.phase}} or {{.items[*].metadata.name}}";
                return null;
            }

            text.Append(template, at, open - at);
            text.AppendJoin(' ', Values(document, template[(open + 1)..close]).Select(Text));
            at = close + 1;
        }

        return text.ToString();
    }

    /// <summary>The values a dotted path (".status.phase", ".items[*].metadata.name") reaches.</summary>
    public static IEnumerable<JsonNode> Values(JsonNode document, string path)
    {
        IEnumerable<JsonNode?> current = [document];
        foreach (var step in path.TrimStart('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = step.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? step : step[..bracket];
            var index = bracket < 0 ? null : step[(bracket + 1)..].TrimEnd(']');
            current = current.Select(node => name.Length == 0 ? node : node is JsonObject obj ? obj[name] : null);
            if (index is not null)
            {
                current = current.SelectMany(node => Items(node, index));
            }
        }

        return current.OfType<JsonNode>();
    }

    private static IEnumerable<JsonNode?> Items(JsonNode? node, string index)
    {
        if (node is not JsonArray array)
        {
            return [];
        }

        if (index == "*")
        {
            return array;
        }

        return int.TryParse(index, CultureInfo.InvariantCulture, out var i) && i >= 0 && i < array.Count ? new[] { array[i] } : [];
    }

    /// <summary>A field as kubectl prints it: a string as it is, anything else as JSON.</summary>
    public static string Text(JsonNode node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node.ToJsonString();
}
