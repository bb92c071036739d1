using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fledge.Core.Manifests;

/// <summary>Maps field paths (spec.template.spec.containers[1].name) to YAML nodes and back.</summary>
internal static class YamlPaths
{
    /// <summary>The node at <paramref name="path"/>, or the deepest written node on the way to it.</summary>
    public static YamlNode Find(YamlNode root, string path)
    {
        var node = root;
        foreach (var segment in Segments(path))
        {
            YamlNode? next = null;
            if (segment.Index is { } index)
            {
                if (node is YamlSequenceNode sequence && index < sequence.Children.Count)
                {
                    next = sequence.Children[index];
                }
            }
            else if (node is YamlMappingNode mapping)
            {
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode scalar && scalar.Value == segment.Name)
                    {
                        next = value;
                        break;
                    }
                }
            }

            if (next is null)
            {
                return node;
            }

            node = next;
        }

        return node;
    }

    /// <summary>The field path of the node (key or value) that starts at <paramref name="mark"/>, or null.</summary>
    public static string? PathAt(YamlNode root, Mark mark)
    {
        var path = new StringBuilder();
        return Walk(root, mark, path) ? path.ToString() : null;
    }

    private static bool Walk(YamlNode node, Mark mark, StringBuilder path)
    {
        if (SameStart(node.Start, mark))
        {
            return true;
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var length = path.Length;
                    if (path.Length > 0)
                    {
                        path.Append('.');
                    }

                    path.Append((key as YamlScalarNode)?.Value);
                    if (SameStart(key.Start, mark) || Walk(value, mark, path))
                    {
                        return true;
                    }

                    path.Length = length;
                }

                return false;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var length = path.Length;
                    path.Append('[').Append(i).Append(']');
                    if (Walk(sequence.Children[i], mark, path))
                    {
                        return true;
                    }

                    path.Length = length;
                }

                return false;
            default:
                return false;
        }
    }

    private static bool SameStart(Mark a, Mark b) => a.Line == b.Line && a.Column == b.Column;

    private static IEnumerable<(string Name, int? Index)> Segments(string path)
    {
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket < 0)
            {
                yield return (part, null);
                continue;
            }

            yield return (part[..bracket], null);
            foreach (var index in part[bracket..].Split(['[', ']'], StringSplitOptions.RemoveEmptyEntries))
            {
                yield return ("", int.Parse(index, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
