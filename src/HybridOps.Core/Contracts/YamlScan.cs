using HybridOps.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace HybridOps.Core.Contracts;

/// <summary>
/// Walks the YAML event stream once, before any node tree is built, and refuses what would crash or
/// exhaust a tree walk later: nesting deeper than <see cref="ContractLimits.MaxDepth"/> (also through
/// aliases), alias expansion beyond <see cref="ContractLimits.MaxExpandedNodes"/>, an alias inside the
/// node it names (a cycle), an undefined alias, a non-scalar mapping key, a merge key (<c>&lt;&lt;</c>)
/// whose value is not a mapping, and a second document. The first problem ends the scan.
/// </summary>
internal sealed class YamlScan(string file)
{
    private readonly Stack<Frame> stack = new();
    private readonly Dictionary<string, Shape> anchors = new(StringComparer.Ordinal);
    private long expanded;
    private int documents;

    public Diagnostic? Problem { get; private set; }

    /// <summary>Scans the text; false with <see cref="Problem"/> set when it must be refused. Syntax errors throw YamlException.</summary>
    public bool Scan(string text)
    {
        var parser = new Parser(new StringReader(text));
        while (Problem is null && parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart d:
                    if (++documents > 1)
                    {
                        Fail(DiagnosticCatalog.MultipleDocuments, "a second YAML document starts here", d.Start);
                    }

                    anchors.Clear();
                    break;
                case Scalar s:
                    OnScalar(s);
                    break;
                case AnchorAlias a:
                    OnAlias(a);
                    break;
                case MappingStart m:
                    OnCollectionStart(Kind.Map, m.Anchor, m.Start);
                    break;
                case SequenceStart q:
                    OnCollectionStart(Kind.Seq, q.Anchor, q.Start);
                    break;
                case MappingEnd or SequenceEnd:
                    OnCollectionEnd();
                    break;
            }
        }

        return Problem is null;
    }

    private void OnScalar(Scalar s)
    {
        var parent = stack.Count > 0 ? stack.Peek() : null;
        if (parent is { Kind: Kind.Map, ExpectKey: true })
        {
            parent.MergeNext = s.Value == "<<" && s.Style == ScalarStyle.Plain;
        }
        else if (!CheckMergeSource(parent, Kind.Scalar, s.Start))
        {
            return;
        }

        Count(1, s.Start);
        Remember(s.Anchor, new Shape(Kind.Scalar, 1, 0));
        Completed(parent, new Shape(Kind.Scalar, 1, 0), s.Start);
    }

    private void OnAlias(AnchorAlias a)
    {
        var name = a.Value.Value;
        if (stack.Any(f => f.Anchor == name))
        {
            Fail(DiagnosticCatalog.AliasCycle, $"alias '*{name}' is inside the node anchored '&{name}'", a.Start);
            return;
        }

        if (!anchors.TryGetValue(name, out var shape))
        {
            Fail(DiagnosticCatalog.AliasUndefined, $"alias '*{name}' has no anchor '&{name}' before it", a.Start);
            return;
        }

        var parent = stack.Count > 0 ? stack.Peek() : null;
        if (parent is { Kind: Kind.Map, ExpectKey: true })
        {
            if (shape.Kind != Kind.Scalar)
            {
                Fail(DiagnosticCatalog.NonScalarKey, $"alias '*{name}' used as a mapping key names a {(shape.Kind == Kind.Map ? "mapping" : "list")}", a.Start);
                return;
            }
        }
        else if (!CheckMergeSource(parent, shape.Kind, a.Start, alias: true))
        {
            return;
        }

        if (stack.Count + shape.Height > ContractLimits.MaxDepth)
        {
            Fail(DiagnosticCatalog.NestingTooDeep, $"alias '*{name}' expands to nesting depth {stack.Count + shape.Height} (limit {ContractLimits.MaxDepth})", a.Start);
            return;
        }

        Count(shape.Size, a.Start);
        Completed(parent, shape, a.Start);
    }

    private void OnCollectionStart(Kind kind, AnchorName anchor, Mark start)
    {
        var parent = stack.Count > 0 ? stack.Peek() : null;
        if (parent is { Kind: Kind.Map, ExpectKey: true })
        {
            Fail(DiagnosticCatalog.NonScalarKey, $"a {(kind == Kind.Map ? "mapping" : "list")} is used as a mapping key", start);
            return;
        }

        var mergeList = parent is { Kind: Kind.Map, MergeNext: true } && kind == Kind.Seq;
        if (!CheckMergeSource(parent, kind, start))
        {
            return;
        }

        if (stack.Count + 1 > ContractLimits.MaxDepth)
        {
            Fail(DiagnosticCatalog.NestingTooDeep, $"nesting deeper than {ContractLimits.MaxDepth} levels", start);
            return;
        }

        Count(1, start);
        stack.Push(new Frame(kind, anchor.IsEmpty ? null : anchor.Value, start) { MergeList = mergeList });
    }

    private void OnCollectionEnd()
    {
        var frame = stack.Pop();
        if (frame is { Kind: Kind.Map, ExpectKey: false })
        {
            // The parser lets `key: "v" *alias` through as a key without a value; the node tree cannot hold it.
            Fail(DiagnosticCatalog.YamlSyntax, "a mapping key has no value (a stray alias or value after the entry?)", frame.LastChild);
            return;
        }

        var shape = new Shape(frame.Kind, frame.Size + 1, frame.Height + 1);
        if (frame.Anchor is not null)
        {
            anchors[frame.Anchor] = shape;
        }

        Completed(stack.Count > 0 ? stack.Peek() : null, shape, frame.Start);
    }

    /// <summary>A value under `&lt;&lt;:` (or an entry of a merged list) must be a mapping.</summary>
    private bool CheckMergeSource(Frame? parent, Kind kind, Mark at, bool alias = false)
    {
        var inMergeValue = parent is { Kind: Kind.Map, MergeNext: true };
        var inMergeList = parent is { Kind: Kind.Seq, MergeList: true };
        if ((inMergeValue && (kind == Kind.Scalar || (kind == Kind.Seq && alias))) || (inMergeList && kind != Kind.Map))
        {
            Fail(DiagnosticCatalog.MergeKeyInvalid, $"`<<` merges a {kind.ToString().ToLowerInvariant()} here, not a mapping", at);
            return false;
        }

        return true;
    }

    private void Completed(Frame? parent, Shape child, Mark start)
    {
        if (parent is null)
        {
            return;
        }

        parent.LastChild = start;

        parent.Size += child.Size;
        parent.Height = Math.Max(parent.Height, child.Height);
        if (parent.Kind == Kind.Map)
        {
            // Keys and values alternate; once a value is complete any merge in progress is over.
            if (!parent.ExpectKey)
            {
                parent.MergeNext = false;
            }

            parent.ExpectKey = !parent.ExpectKey;
        }
    }

    private void Remember(AnchorName anchor, Shape shape)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = shape;
        }
    }

    private void Count(long nodes, Mark at)
    {
        expanded += nodes;
        if (expanded > ContractLimits.MaxExpandedNodes)
        {
            Fail(DiagnosticCatalog.AliasBudgetExceeded, $"the document expands to more than {ContractLimits.MaxExpandedNodes} nodes", at);
        }
    }

    private void Fail(DiagnosticDescriptor d, string message, Mark at) =>
        Problem ??= d.Create(message, new SourceLocation(file, (int)at.Line, (int)at.Column));

    private enum Kind
    {
        Scalar,
        Map,
        Seq,
    }

    private sealed record Shape(Kind Kind, long Size, int Height);

    private sealed class Frame(Kind kind, string? anchor, Mark start)
    {
        public Mark Start { get; } = start;
        public Mark LastChild { get; set; } = start;
        public Kind Kind { get; } = kind;
        public string? Anchor { get; } = anchor;
        public long Size { get; set; }
        public int Height { get; set; }
        public bool ExpectKey { get; set; } = kind == Kind.Map;
        public bool MergeNext { get; set; }
        public bool MergeList { get; init; }
    }
}
