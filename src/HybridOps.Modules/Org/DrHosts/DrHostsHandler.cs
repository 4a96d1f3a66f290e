using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;

namespace HybridOps.Modules.Org.DrHosts;

/// <summary>
/// org/gcp/dr-hosts: the cloud site's self-managed hosts (dr-hosts/v1). Provider `hosts` takes hosts
/// the operator has and reaches them over ssh (<see cref="SshDrSite"/>); `gcp` (creating the VMs) is
/// refused: this build makes no cloud call for them.
/// </summary>
public sealed class DrHostsHandler : IModuleHandler
{
    public const string Ref = "org/gcp/dr-hosts";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var provider = context.Inputs.String("provider");
        if (provider == "gcp")
        {
            throw HyopsException.From(DiagnosticCatalog.ProviderUnavailable,
                "provider gcp is not available in this build (it would create the VMs): create them yourself and give them with provider hosts");
        }

        if (provider != SshDrSite.Provider)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"provider '{provider}' is not one of hosts, gcp: the DR site's hosts are VMs reached over ssh (provider hosts)");
        }

        // destroy only retires the contract (nothing on the hosts changes), so it needs none of the hosts' inputs.
        if (context.Action != "destroy")
        {
            _ = SshDrSite.Hosts(context);
        }
    }

    public Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken) => SshDrSite.RunAsync(context, cancellationToken);
}
