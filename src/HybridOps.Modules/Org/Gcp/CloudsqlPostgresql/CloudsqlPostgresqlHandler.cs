using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using HybridOps.Providers.Local;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPostgresql;

/// <summary>
/// org/gcp/cloudsql-postgresql: one managed PostgreSQL instance through the provider interface.
/// deploy creates it (or restarts it and re-applies authorized networks) and proves it answers SQL
/// as the admin user; status re-reads it; destroy (guarded by destroy_confirm) stops and deletes it.
/// </summary>
public sealed class CloudsqlPostgresqlHandler(ManagedProviders providers) : IModuleHandler
{
    public const string Ref = "org/gcp/cloudsql-postgresql";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var name = context.Inputs.String("instance_name") ?? "";
        if (!LocalManagedPostgres.InstanceNamePattern().IsMatch(name))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"instance_name '{name}' must match [a-z][a-z0-9-]{{0,62}} (Cloud SQL naming)");
        }

        var provider = context.Inputs.String("provider") ?? "";
        if (!ManagedProviders.Known.Contains(provider))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"provider '{provider}' must be one of {string.Join(", ", ManagedProviders.Known)}");
        }

        foreach (var cidr in Networks(context))
        {
            if (!System.Net.IPNetwork.TryParse(cidr, out _))
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"authorized_networks entry '{cidr}' must be a CIDR like 169.254.250.16/28");
            }
        }

        var mode = context.Inputs.String("apply_mode") ?? "serve";
        if (!context.Spec.ApplyModes.Contains(mode))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"apply_mode '{mode}' is not supported (supported: {string.Join(", ", context.Spec.ApplyModes)})");
        }

        if (provider == "local" && context.Action == "deploy" && mode == "serve" && Networks(context).IsEmpty)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired,
                "authorized_networks names no client network: give the CIDRs hyops and your applications connect from (e.g. the DR site's client network)");
        }

        if (context.Action == "deploy" && mode == "fence" && context.Inputs.String("fence_confirm") != name)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedFenceConfirmRequired,
                $"fencing instance '{name}' stops every write on it; fence_confirm is '{context.Inputs.String("fence_confirm") ?? ""}'");
        }

        if (context.Action == "destroy" && context.Inputs.String("destroy_confirm") != name)
        {
            throw HyopsException.From(DiagnosticCatalog.DestroyConfirmRequired,
                $"destroy of instance '{name}' deletes its data; destroy_confirm is '{context.Inputs.String("destroy_confirm") ?? ""}'");
        }

        // Provider selection is pure: gcp is refused here, before anything changes.
        providers.Create(ManagedSite.ResolveRecorded(context), context.Secrets.Resolve);
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var location = ManagedSite.ResolveRecorded(context);
        var provider = providers.Create(location, context.Secrets.Resolve);
        var name = context.Inputs.String("instance_name")!;
        context.Evidence.Check("provider_selected", true, location.ToJson());
        try
        {
            return context.Action switch
            {
                "destroy" => await DestroyAsync(context, provider, name, cancellationToken),
                "status" => await StatusAsync(context, provider, name, cancellationToken),
                _ when context.Inputs.String("apply_mode") == "fence" => await FenceAsync(context, provider, name, cancellationToken),
                _ => await DeployAsync(context, provider, name, cancellationToken),
            };
        }
        finally
        {
            RecordActions(context, provider);
        }
    }

    private static async Task<ModuleOutcome> DeployAsync(ModuleContext context, IManagedPostgresProvider provider, string name, CancellationToken ct)
    {
        var password = context.Secrets.Resolve(context.Inputs.String("admin_password_env")!);
        var networks = Networks(context);
        var existing = await provider.GetInstanceAsync(name, ct);
        ProviderOperation op;
        if (existing is null)
        {
            context.Progress.Report($"creating managed instance {name} ({provider.Name})");
            op = await provider.InsertInstanceAsync(new InstanceRequest(name, context.Inputs.String("database_version")!,
                new InstanceSettings(context.Inputs.String("tier") ?? "", context.Inputs.String("region") ?? "", networks),
                context.Inputs.String("admin_user")!, password), ct);
        }
        else
        {
            // A cloud instance found by name is adopted only when it is the one these inputs describe.
            if (provider.Name == "gcp" && (existing.DatabaseVersion != context.Inputs.String("database_version") || existing.Settings.Tier != (context.Inputs.String("tier") ?? "")))
            {
                throw HyopsException.From(DiagnosticCatalog.GcpResourceConflict,
                    $"instance '{name}' exists as {existing.DatabaseVersion}, tier {existing.Settings.Tier}; the inputs ask for {context.Inputs.String("database_version")}, tier {context.Inputs.String("tier")}; nothing was changed");
            }

            context.Evidence.Note($"instance '{name}' exists ({ManagedInstance.StateName(existing.State)}); adopting it: restarting if stopped and re-applying authorized networks");
            if (!existing.Settings.AuthorizedNetworks.SequenceEqual(networks))
            {
                context.Evidence.Append("provider_operation", (await provider.PatchAuthorizedNetworksAsync(name, networks, ct)).ToJson());
            }

            op = await provider.RestartInstanceAsync(name, ct);
        }

        context.Evidence.Append("provider_operation", op.ToJson());
        var instance = await provider.GetInstanceAsync(name, ct)
            ?? throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"instance '{name}' is missing right after {op.OperationType}");
        await ProveReadyAsync(context, instance, password, ct);
        return ModuleOutcome.Ok(Outputs(context, provider, instance));
    }

    private static async Task<ModuleOutcome> FenceAsync(ModuleContext context, IManagedPostgresProvider provider, string name, CancellationToken ct)
    {
        var password = context.Secrets.Resolve(AdminPasswordEnv(context));
        var instance = await provider.GetInstanceAsync(name, ct);
        if (instance is not { State: InstanceState.Runnable })
        {
            context.Evidence.Check("instance_runnable", false, new JsonObject { ["instance_name"] = name, ["state"] = instance is null ? "absent" : ManagedInstance.StateName(instance.State) });
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"instance '{name}' is {(instance is null ? "absent" : ManagedInstance.StateName(instance.State))}; only a running primary can be fenced");
        }

        context.Progress.Report($"fencing managed primary {name}: {ManagedFence.ReadOnlyFlag}=on, sessions terminated, write probe");
        var fence = await ManagedFence.FenceAsync(context, provider, instance, password, ct);
        var outputs = Outputs(context, provider, (await provider.GetInstanceAsync(name, ct))!);
        outputs["fence"] = fence;
        return ModuleOutcome.Ok(outputs);
    }

    private static async Task<ModuleOutcome> StatusAsync(ModuleContext context, IManagedPostgresProvider provider, string name, CancellationToken ct)
    {
        var instance = await provider.GetInstanceAsync(name, ct);
        context.Evidence.Check("instance_exists", instance is not null, new JsonObject { ["instance_name"] = name });
        if (instance is null)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"instance '{name}' does not exist ({provider.Name} provider at {provider.Location.DataRoot})");
        }

        if (instance.State == InstanceState.Runnable)
        {
            await ProveReadyAsync(context, instance, context.Secrets.Resolve(context.Inputs.String("admin_password_env")!), ct);
            return ModuleOutcome.Ok(Outputs(context, provider, instance));
        }

        return ModuleOutcome.Partial(Outputs(context, provider, instance),
            DiagnosticCatalog.ManagedInstanceNotRunnable.Create($"instance '{name}' is {ManagedInstance.StateName(instance.State)}"));
    }

    private static async Task<ModuleOutcome> DestroyAsync(ModuleContext context, IManagedPostgresProvider provider, string name, CancellationToken ct)
    {
        context.Evidence.Guard("destroy_confirm", true, new JsonObject { ["instance_name"] = name, ["typed"] = context.Inputs.String("destroy_confirm"), ["data_destructive"] = true });
        var instance = await provider.GetInstanceAsync(name, ct);
        if (instance is null)
        {
            context.Evidence.Note($"instance '{name}' does not exist; nothing to delete");
            return ModuleOutcome.Destroyed();
        }

        context.Progress.Report($"deleting managed instance {name}");
        context.Evidence.Append("provider_operation", (await provider.DeleteInstanceAsync(name, ct)).ToJson());
        context.Evidence.Check("instance_deleted", await provider.GetInstanceAsync(name, ct) is null, new JsonObject { ["instance_name"] = name });
        return ModuleOutcome.Destroyed();
    }

    /// <summary>Target readiness: the admin user logs in over TCP from here and the server is writable PostgreSQL 15.</summary>
    private static async Task ProveReadyAsync(ModuleContext context, ManagedInstance instance, string password, CancellationToken ct)
    {
        var endpoint = new PgEndpoint(instance.IpAddress, instance.Port, instance.AdminUser, password);
        MemberFacts facts;
        try
        {
            facts = await PgProbe.FactsAsync(endpoint, ct);
        }
        catch (HyopsException ex)
        {
            context.Evidence.Check("instance_answers_sql", false, new JsonObject { ["endpoint"] = endpoint.ToString(), ["error"] = ex.Diagnostics[0].Message },
                DiagnosticCatalog.ManagedInstanceUnreachable.Code);
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceUnreachable, $"{endpoint}: {ex.Diagnostics[0].Message}");
        }

        // A standby is read-only by default until promoted (provider-enforced); a primary must be writable unless fenced.
        var standby = instance.Role == InstanceRole.Replica;
        var ok = facts.ServerVersionNum / 10000 == 15 && facts.WalLevel == "logical" && (standby ? facts.DefaultReadOnly : facts.Writable || ManagedFence.IsFenced(instance));
        context.Evidence.Check("instance_answers_sql", ok, new JsonObject
        {
            ["endpoint"] = endpoint.ToString(),
            ["server_version_num"] = facts.ServerVersionNum,
            ["wal_level"] = facts.WalLevel,
            ["writable"] = facts.Writable,
            ["write_fenced"] = ManagedFence.IsFenced(instance),
            ["standby_read_only"] = standby ? facts.DefaultReadOnly : null,
            ["system_identifier"] = facts.SystemIdentifier,
        }, ok ? null : DiagnosticCatalog.ManagedInstanceNotRunnable.Code);
        if (!ok)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"{endpoint}: version {facts.ServerVersionNum}, wal_level {facts.WalLevel}, writable {facts.Writable}");
        }
    }

    /// <summary>
    /// The key NAME of the admin password. Fencing acts on an existing instance whose password was set at
    /// creation: the name its state published wins over the input default (the standby blueprint creates
    /// the instance with another key than this module's default).
    /// </summary>
    private static string AdminPasswordEnv(ModuleContext context) =>
        (context.Inputs.String("apply_mode") == "fence" ? context.Previous?.Outputs.Str("admin_password_env") : null) ?? context.Inputs.String("admin_password_env")!;

    internal static JsonObject Outputs(ModuleContext context, IManagedPostgresProvider provider, ManagedInstance instance) => new()
    {
        ["provider"] = provider.Name,
        ["provider_location"] = provider.Location.ToJson(),
        ["instance_name"] = instance.Name,
        ["state"] = ManagedInstance.StateName(instance.State),
        ["host"] = instance.IpAddress,
        ["port"] = instance.Port,
        ["database_version"] = instance.DatabaseVersion,
        ["tier"] = instance.Settings.Tier,
        ["region"] = instance.Settings.Region,
        ["admin_user"] = instance.AdminUser,
        ["admin_password_env"] = AdminPasswordEnv(context),
        ["authorized_networks"] = instance.Settings.AuthorizedNetworks.ToJsonArray(),
        ["role"] = instance.Role == InstanceRole.Primary ? "primary" : "standby",
        ["created_at"] = instance.CreatedAt.ToString("O"),
        ["promoted_at"] = instance.PromotedAt?.ToString("O"),
        ["write_fenced"] = ManagedFence.IsFenced(instance),
        ["database_flags"] = new JsonObject([.. instance.DatabaseFlags.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))]),
    };

    private static ImmutableArray<string> Networks(ModuleContext context) =>
        context.Inputs.Values["authorized_networks"] is JsonArray a
            ? [.. a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "")]
            : [];

    /// <summary>The provider's steps into the run's evidence: local argv/rc/duration; gcp each API call (method, path, HTTP status, attempts; never a header or body).</summary>
    internal static void RecordActions(ModuleContext context, IManagedPostgresProvider provider)
    {
        if (provider is Providers.Gcp.GcpManagedPostgres gcp)
        {
            Providers.Gcp.GcpEvidence.Record(context.Evidence, gcp.Apis);
        }

        if (provider is LocalManagedPostgres local)
        {
            foreach (var a in local.Actions)
            {
                context.Evidence.Action(Path.GetFileName(a.Argv.FirstOrDefault(x => x.StartsWith('/') && !x.EndsWith("setpriv", StringComparison.Ordinal)) ?? a.Argv[0]),
                    a.Argv, a.ExitCode, a.Duration, a.Succeeded ? null : new JsonObject { ["stderr"] = a.StdErr.Trim() });
            }

            local.Actions.Clear();
        }
    }
}
