using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Modules.Common;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHaBackup;

/// <summary>
/// The backup module's facts from `pgbackrest verify`: whether every file is valid, the holes in the
/// WAL archive, and `wal_continuous` from the ranges verify walked (not just the ends of info's range).
/// A hole after the latest backup's start WAL is an RPO event: recovery from that set stops before it.
/// </summary>
internal static class RepositoryVerification
{
    /// <summary>Adds the verify outputs; returns the diagnostic that makes status partial, or null.</summary>
    public static Diagnostic? Apply(JsonObject outputs, PgBackRestVerify verify)
    {
        var start = outputs.Str("backup_wal_start");
        var stop = outputs.Str("backup_wal_stop") ?? start;
        var events = start is null ? [] : verify.GapsFrom(start);
        outputs["verify_passed"] = !verify.Error && verify.InvalidFiles == 0;
        outputs["verify_invalid_files"] = verify.InvalidFiles;
        outputs["verify_result"] = verify.Result;
        outputs["verify_wal_ranges"] = new JsonArray(verify.Ranges.Select(r => (JsonNode)new JsonObject { ["archive_id"] = r.ArchiveId, ["start"] = r.Start, ["stop"] = r.Stop }).ToArray());
        outputs["wal_gaps"] = new JsonArray(verify.Gaps.Select(Gap).ToArray());
        outputs["rpo_events"] = new JsonArray(events.Select(g =>
        {
            var e = Gap(g);
            e["kind"] = "wal_gap";
            e["code"] = DiagnosticCatalog.WalArchiveGap.Code;
            return e;
        }).ToArray());
        if (start is not null)
        {
            // Continuous: one range verify walked holds the latest set's WAL and nothing is missing after it.
            outputs["wal_continuous"] = verify.Covers(start, stop!) && events.Count == 0;
        }

        if (!verify.Error && verify.InvalidFiles == 0)
        {
            outputs["verify_error"] = null;
            return events.Count == 0 ? null : DiagnosticCatalog.WalArchiveGap.Create(
                $"the WAL archive misses {string.Join(", ", events.Select(g => $"{g.MissingFrom}..{g.MissingTo} (after {g.After}, before {g.Before})"))}"
                + $" after the latest backup {outputs.Str("backup_label")}: recovery from it stops at {events[0].After}");
        }

        outputs["verify_error"] = DiagnosticCatalog.RepoVerifyFailed.Code;
        return DiagnosticCatalog.RepoVerifyFailed.Create($"pgbackrest verify: {verify.InvalidFiles} invalid file(s): {verify.Result}");
    }

    private static JsonObject Gap(WalGap g) => new()
    {
        ["archive_id"] = g.ArchiveId, ["missing_from"] = g.MissingFrom, ["missing_to"] = g.MissingTo, ["after"] = g.After, ["before"] = g.Before,
    };
}
