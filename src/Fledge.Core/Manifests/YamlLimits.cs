using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Fledge.Core.Manifests;

/// <summary>
/// What a manifest may ask of the reader, checked in one pass over the parser's events (no recursion) before any
/// tree is built: its size (Kubernetes' own request limit), how deeply it nests, and how far its aliases expand
/// (the "billion laughs": a few lines whose aliases stand for billions of nodes).
/// </summary>
public static class YamlLimits
{
    /// <summary>1.5 MiB, the largest request body Kubernetes' API server takes.</summary>
    public const int MaxBytes = 3 * 1024 * 1024 / 2;

    /// <summary>Far deeper than any Kubernetes object; every reader after this one recurses.</summary>
    public const int MaxDepth = 100;

    /// <summary>Nodes the aliases may expand to, beyond twice the nodes written.</summary>
    public const long MaxExpandedNodes = 250_000;

    /// <summary>Why the text is refused, with the line and column, or null when it is within the limits.</summary>
    public static (string Message, int? Line, int? Column)? Check(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxBytes)
        {
            return ($"the manifest is {bytes} bytes; at most {MaxBytes} (1.5 MiB, the request limit of Kubernetes' API server) are read: split it into several files", null, null);
        }

        var parser = new Parser(new StringReader(text));
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var frames = new Stack<(long Count, string? Anchor)>();
        long written = 0, expanded = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            switch (current)
            {
                case MappingStart or SequenceStart:
                    if (frames.Count >= MaxDepth)
                    {
                        return ($"the YAML nests more than {MaxDepth} levels deep", (int)current.Start.Line, (int)current.Start.Column);
                    }

                    frames.Push((1, AnchorOf(current)));
                    written++;
                    break;
                case MappingEnd or SequenceEnd:
                    var (count, anchor) = frames.Pop();
                    if (anchor is not null)
                    {
                        sizes[anchor] = count;
                    }

                    Add(count);
                    break;
                case Scalar scalar:
                    written++;
                    if (AnchorOf(scalar) is { } scalarAnchor)
                    {
                        sizes[scalarAnchor] = 1;
                    }

                    Add(1);
                    break;
                case AnchorAlias alias:
                    Add(sizes.GetValueOrDefault(alias.Value.Value, 1));
                    var total = expanded + frames.Sum(f => f.Count);
                    if (total > MaxExpandedNodes && total > 2 * written)
                    {
                        return ($"the aliases expand to more than {MaxExpandedNodes} nodes (excessive aliasing); write the objects out instead", (int)alias.Start.Line,
                            (int)alias.Start.Column);
                    }

                    break;
            }
        }

        return null;

        void Add(long count)
        {
            if (frames.Count > 0)
            {
                var (total, anchor) = frames.Pop();
                frames.Push((Math.Min(total + count, Saturated), anchor));
            }
            else
            {
                expanded = Math.Min(expanded + count, Saturated);
            }
        }
    }

    /// <summary>Counts stop growing here, so that the sum over every open level never overflows.</summary>
    private const long Saturated = 1_000_000_000_000_000;

    private static string? AnchorOf(ParsingEvent node) => node is NodeEvent { Anchor.IsEmpty: false } withAnchor ? withAnchor.Anchor.Value : null;
}
