using HybridOps.Core.Engine;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>How a rebuild reaches its member hosts: over SSH, through each host's executor and service manager.</summary>
internal static class RestoreMembers
{
    public static SshRestoreMembers For(ModuleContext context, string scope) =>
        new SshRestoreMembers(context, scope, context.Inputs.String("postgres_bin_dir") ?? "/usr/lib/postgresql/15/bin");
}
