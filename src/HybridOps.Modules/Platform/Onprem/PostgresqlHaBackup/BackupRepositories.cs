using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Core.Secrets;
using HybridOps.Modules.Common;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHaBackup;

/// <summary>
/// The repositories the module writes into pgbackrest.conf: repo1 from repo_state_ref and, when
/// repo2_state_ref names a second object-repo/v1 state, repo2 (its options and credentials renumbered
/// repo2-*). pgBackRest then archives every WAL segment to both, and stanza-create and check cover both;
/// backups are taken into each with --repo=N. The per-repository facts come from one
/// `pgbackrest info --output=json`, which reports each repository's sets and WAL range.
/// </summary>
internal static class BackupRepositories
{
    public static IReadOnlyList<BackupRepository> From(ModuleContext context)
    {
        var retention = context.Inputs.Values.Int("retention_full") ?? 2;
        var repos = new List<BackupRepository>
        {
            new(1, context.Inputs.String("repo_state_ref")!, context.Inputs.State("repo_state_ref")!.Outputs, retention),
        };
        if (context.Inputs.State("repo2_state_ref") is { } second)
        {
            repos.Add(new(2, context.Inputs.String("repo2_state_ref")!, second.Outputs, context.Inputs.Values.Int("repo2_retention_full") is int r2 and > 0 ? r2 : retention));
        }

        return repos;
    }

    /// <summary>The [global] repository options of pgbackrest.conf: each repository's options as repoN-*, and its retention.</summary>
    public static Dictionary<string, string> Options(IReadOnlyList<BackupRepository> repos)
    {
        var global = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var repo in repos)
        {
            var options = (repo.Outputs["pgbackrest_options"] as JsonObject ?? []).Select(o => new KeyValuePair<string, string>(o.Key, o.Value!.GetValue<string>()));
            foreach (var (key, value) in RepoIndex.Renumber(options, repo.Key))
            {
                // A global option (io-timeout) is repo1's when both set it.
                global.TryAdd(key, value);
            }

            global[$"repo{Num(repo.Key)}-retention-full"] = Num(repo.RetentionFull);
        }

        return global;
    }

    /// <summary>Every repository's credentials, each under its own repoN-* option.</summary>
    public static IReadOnlyList<RepoSecret> Secrets(IReadOnlyList<BackupRepository> repos, SecretResolver secrets) =>
        repos.SelectMany(r => RepoCredentials.ConfigSecrets(r.Outputs, secrets).Select(s => RepoIndex.Renumber(s, r.Key))).ToList();

    /// <summary>
    /// The `repositories` output: one entry per repository from `pgbackrest info`. Every repository gets the
    /// archiver's rpo_exposure_s (pg_stat_archiver advances only when every repository took the segment, so
    /// it is exact for the one that lags); a repository whose WAL ends before another's (or before the
    /// gets an `archive_behind` RPO event: its own gap.
    /// </summary>
    public static JsonArray Facts(IReadOnlyList<BackupRepository> repos, JsonNode? info, string stanza, JsonNode? rpoExposure)
    {
        var parsed = repos.Select(r => (Repo: r, Info: info is null ? null : PgBackRestRepoInfo.Of(info, stanza, r.Key),
            Latest: info is null ? null : PgBackRestBackup.LatestOf(info, stanza, r.Key))).ToList();
        // Compared between the repositories of one `info` call only: pg_stat_archiver is read after it and may
        // be a segment ahead of both. One repository has nothing to be behind.
        var lead = repos.Count < 2 ? null : parsed.Select(p => p.Info?.WalMax).OfType<string>().Max(StringComparer.Ordinal);
        var list = new JsonArray();
        foreach (var (repo, repoInfo, latest) in parsed)
        {
            var events = new JsonArray();
            if (lead is not null && repoInfo is not null && string.CompareOrdinal(repoInfo.WalMax ?? "", lead) < 0)
            {
                events.Add((JsonNode)new JsonObject
                {
                    ["kind"] = "archive_behind", ["code"] = DiagnosticCatalog.WalArchiveGap.Code, ["repo_state_ref"] = repo.StateRef,
                    ["wal_archive_max"] = repoInfo.WalMax, ["behind"] = lead,
                });
            }

            list.Add((JsonNode)new JsonObject
            {
                ["repo_key"] = repo.Key,
                ["repo_state_ref"] = repo.StateRef,
                ["repo_uri"] = repo.Outputs.Str("repo_uri"),
                ["backend"] = repo.Outputs.Str("backend"),
                ["retention_full"] = repo.RetentionFull,
                ["repo_status"] = repoInfo?.Status,
                ["backup_label"] = latest?.Label,
                ["backup_type"] = latest?.Type,
                ["backup_count"] = info is null ? null : PgBackRestBackup.Labels(info, stanza, repo.Key).Count,
                ["backup_size_bytes"] = latest?.SizeBytes,
                ["backup_wal_start"] = latest?.WalStart,
                ["backup_wal_stop"] = latest?.WalStop,
                ["backup_stopped_at"] = latest is null ? null : PostgresqlHaBackupHandler.Iso(latest.Stopped),
                ["archive_id"] = repoInfo?.ArchiveId,
                ["wal_archive_min"] = repoInfo?.WalMin,
                ["wal_archive_max"] = repoInfo?.WalMax,
                ["wal_continuous"] = Continuous(latest, repoInfo),
                ["rpo_exposure_s"] = rpoExposure?.DeepClone(),
                ["rpo_events"] = events,
            });
        }

        return list;
    }

    /// <summary>From the ends of the range only: the WAL range holds the latest set from its start to its stop (status refines it with verify).</summary>
    private static bool? Continuous(PgBackRestBackup? latest, PgBackRestRepoInfo? info) =>
        latest?.WalStart is not { } start || info?.WalMin is null
            ? null
            : string.CompareOrdinal(info.WalMin, start) <= 0 && string.CompareOrdinal(info.WalMax, latest.WalStop ?? start) >= 0;

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
