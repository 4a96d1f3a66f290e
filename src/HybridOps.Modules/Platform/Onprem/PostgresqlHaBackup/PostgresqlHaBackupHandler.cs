using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Patroni;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHaBackup;

/// <summary>
/// platform/onprem/postgresql-ha-backup: pgBackRest configuration (configure), backups (backup) and
/// retirement (destroy) for the assessed Patroni cluster. The repository location comes only from the
/// object-repo/v1 state; archive settings change only through Patroni's DCS. Nothing in the
/// repository is ever deleted by this module.
/// </summary>
public sealed partial class PostgresqlHaBackupHandler(Func<PatroniClient> patroniFactory, IProcessRunner runner) : IModuleHandler
{
    public const string Ref = "platform/onprem/postgresql-ha-backup";
    private static readonly string[] BackupTypes = ["full", "diff", "incr"];
    private static readonly string[] CompressTypes = ["lz4", "zst", "gz", "none"];

    public string ModuleRef => Ref;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex StanzaPattern();

    public void Validate(ModuleContext context)
    {
        var mode = context.Inputs.String("apply_mode");
        if (!context.Spec.ApplyModes.Contains(mode ?? ""))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"apply_mode '{mode}' is not supported (supported: {string.Join(", ", context.Spec.ApplyModes)})");
        }

        if (!BackupTypes.Contains(context.Inputs.String("backup_type") ?? ""))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"backup_type '{context.Inputs.String("backup_type")}' must be one of full, diff, incr");
        }

        if (!CompressTypes.Contains(context.Inputs.String("compress_type") ?? "lz4"))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"compress_type '{context.Inputs.String("compress_type")}' must be one of {string.Join(", ", CompressTypes)}");
        }

        if (context.Inputs.Values.Int("process_max") is < 0 or > 64)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"process_max {context.Inputs.Values.Int("process_max")} must be 0 (the host's cores) to 64");
        }

        RequireContract(context, "inventory_state_ref", "onprem-inventory/v1", "dr-hosts/v1");
        var cluster = RequireContract(context, "cluster_state_ref", "postgresql-ha/v1");
        var repo = RequireContract(context, "repo_state_ref", "object-repo/v1");
        if (repo["pgbackrest_options"] is not JsonObject { Count: > 0 })
        {
            throw HyopsException.From(DiagnosticCatalog.StateContractVersion, "repository state publishes no pgbackrest_options");
        }

        if (context.Inputs.State("repo2_state_ref") is not null)
        {
            var repo2 = RequireContract(context, "repo2_state_ref", "object-repo/v1");
            if (repo2["pgbackrest_options"] is not JsonObject { Count: > 0 })
            {
                throw HyopsException.From(DiagnosticCatalog.StateContractVersion, "the second repository's state (repo2_state_ref) publishes no pgbackrest_options");
            }

            if (context.Inputs.String("repo2_state_ref") == context.Inputs.String("repo_state_ref") || repo2.Str("repo_uri") == repo.Str("repo_uri"))
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid,
                    $"repo2_state_ref '{context.Inputs.String("repo2_state_ref")}' is the same repository as repo_state_ref ({repo.Str("repo_uri")}); name a second object repository, or leave repo2_state_ref empty");
            }
        }

        if (context.Inputs.Values.Int("repo2_retention_full") is < 0 or > 100)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"repo2_retention_full {context.Inputs.Values.Int("repo2_retention_full")} must be 0 (retention_full) to 100");
        }

        var stanza = context.Inputs.String("stanza") ?? cluster.Str("cluster_name") ?? "";
        if (!StanzaPattern().IsMatch(stanza))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"stanza '{stanza}' must be letters, digits, '_', '.', '-'");
        }

        if (context.Inputs.String("work_dir") is { } wd && (!Path.IsPathFullyQualified(wd) || wd.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '%')))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"work_dir '{wd}' must be an absolute path without spaces, quotes or '%'");
        }
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        await using var run = new BackupRun(context, patroniFactory(), runner);
        return context.Action switch
        {
            "destroy" => await run.DestroyAsync(cancellationToken),
            "status" => await run.StatusAsync(cancellationToken),
            _ => context.Inputs.String("apply_mode") switch
            {
                "backup" => await run.BackupAsync(cancellationToken),
                "flush" => await run.FlushAsync(cancellationToken),
                _ => await run.ConfigureAsync(cancellationToken),
            },
        };
    }

    private static JsonObject RequireContract(ModuleContext context, string input, params string[] versions)
    {
        var state = context.Inputs.State(input) ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, $"input '{input}' must reference a published state");
        var actual = state.Outputs.Str("contract_version");
        if (!versions.Contains(actual))
        {
            throw HyopsException.From(DiagnosticCatalog.StateContractVersion, $"state '{state.ModuleRef}' ({input}) has contract_version '{actual ?? "none"}', this module reads '{string.Join("' or '", versions)}'");
        }

        return state.Outputs;
    }

    internal static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
