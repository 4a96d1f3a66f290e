using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules.Org.Gcp.CloudsqlBackup;

/// <summary>
/// org/gcp/cloudsql-backup: the post-promotion backup policy. Runs only after the promotion (the
/// instance must be primary) and proves the first backup from the backup tool's own listing.
/// </summary>
public sealed class CloudsqlBackupHandler(ManagedProviders providers) : IModuleHandler
{
    public const string Ref = "org/gcp/cloudsql-backup";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var target = DrLink.Require(context, "target_state_ref", "cloudsql-postgresql/v1");
        providers.Create(Location(target), context.Secrets.Resolve);
        if (!context.Inputs.Bool("enabled") || context.Action != "deploy")
        {
            return;
        }

        var repo = DrLink.Require(context, "repo_state_ref", "object-repo/v1");
        if (repo["pgbackrest_options"] is not JsonObject { Count: > 0 })
        {
            throw HyopsException.From(DiagnosticCatalog.StateContractVersion, "the repository state (repo_state_ref) publishes no pgbackrest_options");
        }

        if ((context.Inputs.Values.Int("retention_full") ?? 0) < 1)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "retention_full must be a number >= 1");
        }
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var target = context.Inputs.State("target_state_ref")!.Outputs;
        var name = target.Str("instance_name")!;
        if (context.Action == "destroy")
        {
            context.Evidence.Note("destroy retires this module's state only; archiving stays configured and the repository keeps every backup");
            return ModuleOutcome.Destroyed();
        }

        if (context.Action == "status" || !context.Inputs.Bool("enabled"))
        {
            var outputs = (JsonObject?)context.Previous?.Outputs.DeepClone() ?? new JsonObject { ["instance_name"] = name, ["backups_enabled"] = false };
            if (context.Action != "status")
            {
                context.Evidence.Note("post-promotion backup policy is off (enabled: false): nothing changed");
            }

            return ModuleOutcome.Ok(outputs);
        }

        var provider = providers.Create(Location(target), context.Secrets.Resolve);
        var instance = await provider.GetInstanceAsync(name, cancellationToken);
        var primary = instance is { State: InstanceState.Runnable, Role: InstanceRole.Primary };
        context.Evidence.Check("instance_promoted", primary, new JsonObject
        {
            ["instance_name"] = name, ["state"] = instance is null ? "ABSENT" : ManagedInstance.StateName(instance.State), ["role"] = instance?.Role.ToString(),
        }, primary ? null : DiagnosticCatalog.ManagedInstanceNotRunnable.Code);
        if (!primary)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable,
                $"instance '{name}' is {(instance is null ? "absent" : $"{ManagedInstance.StateName(instance.State)}, {instance.Role}")}: backups are enabled on the promoted primary only");
        }

        var repo = context.Inputs.State("repo_state_ref")!.Outputs;
        var stanza = context.Inputs.String("stanza") ?? name;
        var options = repo["pgbackrest_options"]!.AsObject().ToDictionary(o => o.Key, o => o.Value!.GetValue<string>(), StringComparer.Ordinal);
        var request = new BackupRepository(stanza, options, RepoCredentials.Environment(repo, context.Secrets), context.Secrets.Resolve(target.Str("admin_password_env")!))
        {
            RetentionFull = context.Inputs.Values.Int("retention_full") ?? 2,
            ConfigSecrets = RepoCredentials.ConfigSecrets(repo, context.Secrets).ToDictionary(s => s.Option, s => s.Value, StringComparer.Ordinal),
            PgBackRestBinary = context.Inputs.String("pgbackrest_bin") ?? "/usr/bin/pgbackrest",
        };
        context.Progress.Report($"enabling backups of the promoted primary '{name}' into {repo.Str("repo_uri")} (stanza {stanza})");
        ManagedBackup backup;
        try
        {
            backup = await provider.EnableBackupsAsync(name, request, cancellationToken);
        }
        finally
        {
            CloudsqlPostgresql.CloudsqlPostgresqlHandler.RecordActions(context, provider);
        }

        context.Evidence.Check("first_backup_verified", true, new JsonObject
        {
            ["label"] = backup.Label, ["type"] = backup.Type, ["backup_count"] = backup.BackupCount, ["listed_by"] = $"{backup.Method} info",
            ["wal_start"] = backup.WalStart, ["wal_stop"] = backup.WalStop,
        });
        context.Evidence.Append("provider_operation", backup.Operation.ToJson());
        return ModuleOutcome.Ok(new JsonObject
        {
            ["instance_name"] = name,
            ["backups_enabled"] = true,
            ["method"] = backup.Method,
            ["stanza"] = stanza,
            ["repo_uri"] = repo.Str("repo_uri"),
            ["backup_label"] = backup.Label,
            ["backup_type"] = backup.Type,
            ["backup_count"] = backup.BackupCount,
            ["backup_started_at"] = backup.Started.ToUniversalTime().ToString("O"),
            ["backup_stopped_at"] = backup.Stopped.ToUniversalTime().ToString("O"),
            ["backup_wal_start"] = backup.WalStart,
            ["backup_wal_stop"] = backup.WalStop,
            ["archive_command"] = backup.ArchiveCommand,
            ["config_path"] = backup.ConfigPath,
            ["enabled_at"] = context.Time.GetUtcNow().ToUniversalTime().ToString("O"),
        });
    }

    private static ProviderLocation Location(JsonObject target) =>
        ProviderLocation.FromJson(target["provider_location"])
        ?? throw HyopsException.From(DiagnosticCatalog.StateContractVersion, "the target instance state publishes no provider_location");
}
