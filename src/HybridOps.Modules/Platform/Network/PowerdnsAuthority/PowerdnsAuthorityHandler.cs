using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Network.PowerdnsAuthority;

/// <summary>platform/network/powerdns-authority: validates and publishes how to reach a PowerDNS authority. No infrastructure I/O.</summary>
public sealed class PowerdnsAuthorityHandler : IModuleHandler
{
    public const string Ref = "platform/network/powerdns-authority";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var v = context.Inputs.Values;
        if (!Uri.TryCreate(v.Str("api_url"), UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttp && api.Scheme != Uri.UriSchemeHttps))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"api_url '{v.Str("api_url")}' must be an http(s) URL");
        }

        if (v.Str("zone") is not { } zone || !zone.EndsWith('.'))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "zone must be a canonical name with the trailing dot, e.g. 'hyops.lab.'");
        }

        if (!System.Net.IPAddress.TryParse(v.Str("dns_server_host"), out _) || v.Int("dns_server_port") is not (> 0 and < 65536))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "dns_server_host must be an IP address and dns_server_port a port number");
        }
    }

    public Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken) =>
        DeclaredContract.RunAsync(context, "authority_shape", o => new JsonObject { ["api_url"] = o["api_url"]?.DeepClone(), ["zone"] = o["zone"]?.DeepClone() });
}
