using HybridOps.Core.Engine;
using HybridOps.Postgres.Exec;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>Picks how a rebuild reaches its member hosts: over SSH when the hosts contract says so, else the local provider's processes.</summary>
internal static class RestoreMembers
{
    public static IRestoreMembers For(ModuleContext context, RestoreHosts hosts, string scope, IProcessRunner runner) =>
        hosts.OverSsh
            ? new SshRestoreMembers(context, scope, context.Inputs.String("postgres_bin_dir") ?? "/usr/lib/postgresql/15/bin")
            : new LocalRestoreMembers(context, hosts, runner);
}
