using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrill;

/// <summary>The marker's inputs, checked once (no I/O): tables, limits, the restore point name.</summary>
internal sealed record DrillInputs(
    string Database,
    ImmutableArray<DrillTable> ManifestTables,
    DrillTable? MarkerTable,
    long RowCap,
    int LockTimeoutMs,
    int LockHoldTimeoutMs,
    int ArchiveWaitS,
    string RestorePoint)
{
    public const int MaxTables = 100;

    public static DrillInputs From(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var values = context.Inputs.Values;
        var tables = values["manifest_tables"] switch
        {
            null => [],
            JsonArray a => a.Select(n => DrillTable.Parse(n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToJsonString(), "manifest_tables entry")).ToList(),
            var other => throw HyopsException.From(DiagnosticCatalog.DrillInputInvalid, $"manifest_tables must be a list of schema.table names (got {other.ToJsonString()})"),
        };
        if (tables.Count > MaxTables || tables.Distinct().Count() != tables.Count)
        {
            throw HyopsException.From(DiagnosticCatalog.DrillInputInvalid, $"manifest_tables names {tables.Count} tables ({tables.Count - tables.Distinct().Count()} twice); at most {MaxTables}, each once");
        }

        var marker = context.Inputs.String("marker_table") is { } m ? DrillTable.Parse(m, "marker_table") : null;
        var point = context.Inputs.String("restore_point") ?? "hyops-drill-" + (context.RunId.Length > 0 ? context.RunId : "run").ToLowerInvariant();
        // The name is checked like every restore point (HYO7401); a derived name always passes.
        RestoreTarget.Named(point, null);
        return new DrillInputs(
            context.Inputs.String("database") ?? "postgres",
            [.. tables],
            marker,
            Positive(values, "row_cap", 1_000_000),
            (int)Positive(values, "lock_timeout_ms", 2000),
            (int)Positive(values, "lock_hold_timeout_ms", 10_000),
            (int)Positive(values, "archive_wait_s", 60),
            point);
    }

    private static long Positive(JsonObject values, string key, long fallback)
    {
        var node = values[key];
        if (node is null)
        {
            return fallback;
        }

        return node is JsonValue v && v.TryGetValue<long>(out var n) && n > 0 && n <= int.MaxValue
            ? n
            : throw HyopsException.From(DiagnosticCatalog.DrillInputInvalid, $"{key} must be a positive whole number (got {node.ToJsonString()})");
    }
}
