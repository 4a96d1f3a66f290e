using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrill;

/// <summary>
/// A table the drill names (manifest or marker table): schema.table of lower-case unquoted identifiers,
/// so its SQL form is built from two checked names and never from operator text.
/// </summary>
internal sealed partial record DrillTable(string Schema, string Name)
{
    [GeneratedRegex("^([a-z_][a-z0-9_]{0,62})\\.([a-z_][a-z0-9_]{0,62})$")]
    private static partial Regex Pattern();

    /// <summary>"schema"."table", safe to place in a statement.</summary>
    public string Sql => $"\"{Schema}\".\"{Name}\"";

    public override string ToString() => $"{Schema}.{Name}";

    public static DrillTable Parse(string? text, string input)
    {
        var m = Pattern().Match(text ?? "");
        return m.Success
            ? new DrillTable(m.Groups[1].Value, m.Groups[2].Value)
            : throw HyopsException.From(DiagnosticCatalog.DrillInputInvalid,
                $"{input} '{text}' is not schema.table of lower-case identifiers (e.g. public.orders)");
    }
}
