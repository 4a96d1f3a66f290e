using HybridOps.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Core.Contracts;

/// <summary>
/// The one way hyops reads YAML (contracts, --inputs files, environment overrides): bytes are checked
/// by <see cref="ContractText"/>, the event stream by <see cref="YamlScan"/>, and only then is a node
/// tree built. Every refusal is a diagnostic with file:line; nothing here throws for bad input.
/// </summary>
public static class SafeYaml
{
    /// <summary>The root node of the file's single document; null (with a diagnostic in errors) when refused, or for an empty file.</summary>
    public static YamlNode? LoadFile(string file, List<Diagnostic> errors, DiagnosticDescriptor? syntax = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        byte[] bytes;
        try
        {
            var info = new FileInfo(file);
            if (info.Exists && info.Length > ContractLimits.MaxBytes)
            {
                errors.Add(DiagnosticCatalog.DocumentTooLarge.Create(
                    $"the file is {info.Length} bytes; the loader accepts at most {ContractLimits.MaxBytes}", new SourceLocation(file, 1)));
                return null;
            }

            bytes = File.ReadAllBytes(file);
        }
        catch (IOException ex)
        {
            errors.Add(DiagnosticCatalog.ContractNotFound.Create($"cannot read '{file}': {ex.Message}", new SourceLocation(file, 0)));
            return null;
        }

        return LoadBytes(file, bytes, errors, syntax);
    }

    public static YamlNode? LoadBytes(string file, ReadOnlySpan<byte> bytes, List<Diagnostic> errors, DiagnosticDescriptor? syntax = null)
    {
        var text = ContractText.Decode(file, bytes, errors);
        return text is null ? null : LoadText(file, text, errors, syntax);
    }

    public static YamlNode? LoadText(string file, string text, List<Diagnostic> errors, DiagnosticDescriptor? syntax = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(errors);
        if (text.Length > ContractLimits.MaxBytes)
        {
            errors.Add(DiagnosticCatalog.DocumentTooLarge.Create($"the text is {text.Length} characters; the loader accepts at most {ContractLimits.MaxBytes}", new SourceLocation(file, 1)));
            return null;
        }

        try
        {
            var scan = new YamlScan(file);
            if (!scan.Scan(text))
            {
                errors.Add(scan.Problem!);
                return null;
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException ex)
        {
            errors.Add((syntax ?? DiagnosticCatalog.YamlSyntax).Create(ex.Message, Where(file, text, ex)));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some malformed plain scalars in flow sequences.
            errors.Add((syntax ?? DiagnosticCatalog.YamlSyntax).Create("the YAML parser could not read a plain value inside a [...] list", new SourceLocation(file, 1)));
            return null;
        }
    }

    /// <summary>
    /// YamlDotNet reports a tab in indentation at the end of the line before it (or at 1:1); point at the
    /// tab itself so the operator finds it.
    /// </summary>
    private static SourceLocation Where(string file, string text, YamlException ex)
    {
        var line = (int)Math.Max(1, ex.Start.Line);
        var column = (int)Math.Max(1, ex.Start.Column);
        if (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            var lines = text.Split('\n');
            var found = FirstIndentTab(lines, line - 1) ?? FirstIndentTab(lines, 0);
            if (found is { } at)
            {
                return new SourceLocation(file, at.Line + 1, at.Column + 1);
            }
        }

        return new SourceLocation(file, line, column);
    }

    private static (int Line, int Column)? FirstIndentTab(string[] lines, int from)
    {
        for (var i = Math.Max(0, from); i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', 0, indent);
            if (tab >= 0)
            {
                return (i, tab);
            }
        }

        return null;
    }
}
