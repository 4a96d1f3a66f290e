using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// What to restore: <c>latest</c> (newest backup, then all archived WAL), <c>set:&lt;label&gt;</c>
/// (that backup, recovery stops as soon as it is consistent) or <c>time:&lt;ISO timestamp&gt;</c>
/// (newest backup finished at or before the time, WAL replayed up to it).
/// </summary>
public sealed partial record RestoreTarget(string Kind, string? Label, DateTimeOffset? Time)
{
    public static RestoreTarget Latest { get; } = new("latest", null, null);

    [GeneratedRegex("^[0-9]{8}-[0-9]{6}F(_[0-9]{8}-[0-9]{6}[DI])?$")]
    private static partial Regex LabelPattern();

    /// <summary>Parses the restore_target input; bad values are HYO2021 (input error, nothing touched).</summary>
    public static RestoreTarget Parse(string? text)
    {
        var value = (text ?? "latest").Trim();
        if (value == "latest")
        {
            return Latest;
        }

        if (value.StartsWith("set:", StringComparison.Ordinal))
        {
            var label = value[4..];
            return LabelPattern().IsMatch(label)
                ? new RestoreTarget("set", label, null)
                : throw HyopsException.From(DiagnosticCatalog.RestoreTargetInvalid, $"restore_target '{value}': '{label}' is not a pgBackRest backup label like 20260101-120000F");
        }

        if (value.StartsWith("time:", StringComparison.Ordinal))
        {
            var raw = value[5..];
            // An offset is required: a time without a zone would mean different instants on different hosts.
            var hasZone = raw.EndsWith('Z') || Regex.IsMatch(raw, "[+-][0-9]{2}:?[0-9]{2}$");
            return hasZone && DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var t)
                ? new RestoreTarget("time", null, t.ToUniversalTime())
                : throw HyopsException.From(DiagnosticCatalog.RestoreTargetInvalid, $"restore_target '{value}': '{raw}' is not an ISO-8601 timestamp with an offset (e.g. 2026-01-01T12:00:00Z)");
        }

        throw HyopsException.From(DiagnosticCatalog.RestoreTargetInvalid, $"restore_target '{value}' is not latest, set:<label> or time:<timestamp>");
    }

    /// <summary>The PostgreSQL recovery settings (besides restore_command) that implement this target.</summary>
    public IReadOnlyDictionary<string, string> RecoverySettings() => Kind switch
    {
        "set" => new Dictionary<string, string> { ["recovery_target"] = "immediate" },
        "time" => new Dictionary<string, string> { ["recovery_target_time"] = PgTime(Time!.Value), ["recovery_target_inclusive"] = "true" },
        _ => new Dictionary<string, string>(),
    };

    /// <summary>Picks the backup set from `pgbackrest info --output=json` backups (oldest first); null when none fits.</summary>
    public JsonObject? SelectBackup(IReadOnlyList<JsonObject> backups) => Kind switch
    {
        "set" => backups.FirstOrDefault(b => (string?)b["label"] == Label),
        "time" => backups.LastOrDefault(b => long.TryParse(b["timestamp"]?["stop"]?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var stop)
            && DateTimeOffset.FromUnixTimeSeconds(stop) <= Time),
        _ => backups.LastOrDefault(),
    };

    public override string ToString() => Kind switch
    {
        "set" => $"set:{Label}",
        "time" => $"time:{Time!.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture)}",
        _ => "latest",
    };

    private static string PgTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";
}
