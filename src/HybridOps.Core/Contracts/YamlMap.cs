using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Core.Contracts;

/// <summary>
/// A YAML mapping read with its source location, so every contract error names file:line.
/// Errors are collected, not thrown, so one validation pass reports all of them.
/// </summary>
internal sealed class YamlMap(string file, YamlMappingNode node, List<Diagnostic> errors, List<Diagnostic> warnings)
{
    public YamlMappingNode Node { get; } = node;

    public SourceLocation Location => At(Node);

    public SourceLocation At(YamlNode n) => new(file, (int)n.Start.Line, (int)n.Start.Column);

    public string File => file;

    /// <summary>Entries with merge keys applied (see <see cref="YamlMerge"/>).</summary>
    public IEnumerable<KeyValuePair<YamlScalarNode, YamlNode>> Entries => YamlMerge.Entries(Node);

    public YamlNode? Get(string key) => YamlMerge.Get(Node, key);

    public SourceLocation LocationOf(string key) =>
        Entries.FirstOrDefault(e => e.Key.Value == key).Key is { } k ? At(k) : Location;

    /// <summary>
    /// Warns about every key outside the field set: "did you mean" for a near known name, "ignored" for an
    /// upstream field this build does not implement. <paramref name="path"/> names the place in messages.
    /// </summary>
    public void CheckFields(FieldSet fields, string path)
    {
        foreach (var (key, _) in Entries)
        {
            var name = key.Value ?? "";
            var at = path.Length == 0 ? name : $"{path}.{name}";
            if (fields.Known.Contains(name))
            {
                continue;
            }

            warnings.Add(fields.UpstreamIgnored.Contains(name)
                ? DiagnosticCatalog.UpstreamFieldIgnored.Create($"field '{at}' is an upstream HybridOps field this build does not implement; it is ignored", At(key))
                : DiagnosticCatalog.UnknownField.Create($"unknown field '{at}'{NearestName.Hint(name, fields.All)}", At(key)));
        }
    }

    public void Warn(DiagnosticDescriptor d, string message, SourceLocation? at = null) =>
        warnings.Add(d.Create(message, at ?? Location));

    public string? String(string key, bool required)
    {
        var n = Get(key);
        if (n is null || n is YamlScalarNode { Value: null or "" })
        {
            if (required)
            {
                Error(DiagnosticCatalog.MissingField, $"missing required field '{key}'", n is null ? Location : At(n));
            }

            return null;
        }

        if (n is not YamlScalarNode s)
        {
            Error(DiagnosticCatalog.InvalidField, $"field '{key}' must be a string", At(n));
            return null;
        }

        return s.Value;
    }

    public bool Bool(string key, bool fallback)
    {
        var n = Get(key);
        if (n is null)
        {
            return fallback;
        }

        if (n is YamlScalarNode { Value: "true" or "false" } s)
        {
            return s.Value == "true";
        }

        Error(DiagnosticCatalog.InvalidField, $"field '{key}' must be true or false", At(n));
        return fallback;
    }

    public YamlMap? Map(string key, bool required)
    {
        var n = Get(key);
        switch (n)
        {
            case null or YamlScalarNode { Value: null or "" }:
                if (required)
                {
                    Error(DiagnosticCatalog.MissingField, $"missing required field '{key}'", n is null ? Location : At(n));
                }

                return null;
            case YamlMappingNode m:
                return new YamlMap(file, m, errors, warnings);
            default:
                Error(DiagnosticCatalog.InvalidField, $"field '{key}' must be a mapping", At(n));
                return null;
        }
    }

    public JsonObject Object(string key) => Map(key, required: false) is { } m ? YamlJson.ToObject(m.Node) : new JsonObject();

    public ImmutableArray<string> Strings(string key)
    {
        var n = Get(key);
        switch (n)
        {
            case null or YamlScalarNode { Value: null or "" }:
                return ImmutableArray<string>.Empty;
            case YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode):
                return seq.Children.Cast<YamlScalarNode>().Select(c => c.Value ?? "").ToImmutableArray();
            default:
                Error(DiagnosticCatalog.InvalidField, $"field '{key}' must be a list of strings", At(n));
                return ImmutableArray<string>.Empty;
        }
    }

    public IEnumerable<YamlMap> Maps(string key)
    {
        var n = Get(key);
        if (n is null)
        {
            yield break;
        }

        if (n is not YamlSequenceNode seq)
        {
            Error(DiagnosticCatalog.InvalidField, $"field '{key}' must be a list", At(n));
            yield break;
        }

        foreach (var item in seq.Children)
        {
            if (item is YamlMappingNode m)
            {
                yield return new YamlMap(file, m, errors, warnings);
            }
            else
            {
                Error(DiagnosticCatalog.InvalidField, $"every entry of '{key}' must be a mapping", At(item));
            }
        }
    }

    public void Error(DiagnosticDescriptor d, string message, SourceLocation? at = null) =>
        errors.Add(d.Create(message, at ?? Location));
}
