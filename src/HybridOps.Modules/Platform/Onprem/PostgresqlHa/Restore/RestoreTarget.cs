using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// What to restore: <c>latest</c> (newest backup, then all archived WAL), <c>set:&lt;label&gt;</c>
/// (that backup, recovery stops as soon as it is consistent), <c>time:&lt;ISO timestamp&gt;</c>
/// (newest backup finished at or before the time, WAL replayed up to it) or <c>name:&lt;restore point&gt;</c>
/// (WAL replayed up to a restore point made by pg_create_restore_point; <see cref="Time"/>, when known,
/// is when the point was made and picks the newest backup finished before it).
/// </summary>
public sealed partial record RestoreTarget(string Kind, string? Label, DateTimeOffset? Time)
{
    public static RestoreTarget Latest { get; } = new("latest", null, null);

    [GeneratedRegex("^[0-9]{8}-[0-9]{6}F(_[0-9]{8}-[0-9]{6}[DI])?$")]
    private static partial Regex LabelPattern();

    /// <summary>A restore point name hyops creates and accepts: lower-case letters, digits, '.', '_' and '-', at most 63 characters.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    public static partial Regex RestorePointPattern();

    /// <summary>The target of restore point <paramref name="name"/>, made at <paramref name="madeAt"/> when known; a bad name is HYO7401.</summary>
    public static RestoreTarget Named(string? name, DateTimeOffset? madeAt) =>
        name is not null && RestorePointPattern().IsMatch(name)
            ? new RestoreTarget("name", name, madeAt?.ToUniversalTime())
            : throw HyopsException.From(DiagnosticCatalog.DrillRestorePointInvalid,
                $"restore point name '{name ?? "(missing)"}' is not 1-63 characters of [a-z0-9._-] starting with a letter or digit");

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

        if (value.StartsWith("name:", StringComparison.Ordinal))
        {
            return Named(value[5..], null);
        }

        throw HyopsException.From(DiagnosticCatalog.RestoreTargetInvalid, $"restore_target '{value}' is not latest, set:<label>, time:<timestamp> or name:<restore point>");
    }

    /// <summary>The PostgreSQL recovery settings (besides restore_command) that implement this target.</summary>
    public IReadOnlyDictionary<string, string> RecoverySettings() => Kind switch
    {
        "set" => new Dictionary<string, string> { ["recovery_target"] = "immediate" },
        "time" => new Dictionary<string, string> { ["recovery_target_time"] = PgTime(Time!.Value), ["recovery_target_inclusive"] = "true" },
        "name" => new Dictionary<string, string> { ["recovery_target_name"] = Label! },
        _ => new Dictionary<string, string>(),
    };

    /// <summary>Picks the backup set from `pgbackrest info --output=json` backups (oldest first); null when none fits.</summary>
    public JsonObject? SelectBackup(IReadOnlyList<JsonObject> backups) => Kind switch
    {
        "set" => backups.FirstOrDefault(b => (string?)b["label"] == Label),
        "time" or "name" when Time is not null => backups.LastOrDefault(b => long.TryParse(b["timestamp"]?["stop"]?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var stop)
            && DateTimeOffset.FromUnixTimeSeconds(stop) <= Time),
        _ => backups.LastOrDefault(),
    };

    public override string ToString() => Kind switch
    {
        "set" => $"set:{Label}",
        "time" => $"time:{Time!.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture)}",
        "name" => $"name:{Label}",
        _ => "latest",
    };

    private static string PgTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";
}
