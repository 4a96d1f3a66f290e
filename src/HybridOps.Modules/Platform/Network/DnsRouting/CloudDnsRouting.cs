using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Core.State;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Dns;
using HybridOps.Providers.Gcp;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules.Platform.Network.DnsRouting;

/// <summary>
/// dns-routing with backend clouddns: the service record lives in a Google Cloud DNS managed zone.
/// deploy reads the current rrset (resourceRecordSets.list), sends changes.create with the new rrset
/// as addition and exactly that current rrset as deletion (Cloud DNS refuses a deletion that does not
/// match, HYO8012), polls changes.get until done and reads the rrset back. status compares the zone's
/// rrset with the state (drift HYO6011); destroy reverts only with revert_on_destroy. Every API call is
/// an action in the run record; the key and token never are.
/// </summary>
internal sealed class CloudDnsRouting(ModuleContext context) : IDisposable
{
    private readonly CloudDnsZone zone = CloudDnsZone.From(context);
    private GcpApis? apis;

    private GcpApis Apis => apis ??= new GcpApis(zone.Settings,
        new ServiceAccountTokenSource(() => context.Secrets.Resolve(zone.Settings.CredentialsEnv), context.Time), context.Time);

    /// <summary>Input checks, before anything changes (called from Validate).</summary>
    public static void Validate(ModuleContext context) => CloudDnsZone.From(context);

    public async Task<ModuleOutcome> RunAsync(string fqdn, Func<string> target, CancellationToken ct)
    {
        if (!fqdn.EndsWith("." + zone.DnsName, StringComparison.OrdinalIgnoreCase) && !string.Equals(fqdn, zone.DnsName, StringComparison.OrdinalIgnoreCase))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"fqdn '{fqdn}' is not inside the Cloud DNS zone '{zone.DnsName}' ({zone.ManagedZone})");
        }

        try
        {
            return context.Action switch
            {
                "status" => await StatusAsync(fqdn, ct),
                "destroy" => await DestroyAsync(fqdn, ct),
                _ => await DeployAsync(fqdn, target(), ct),
            };
        }
        finally
        {
            if (apis is not null)
            {
                GcpEvidence.Record(context.Evidence, apis);
            }
        }
    }

    private async Task<ModuleOutcome> DeployAsync(string fqdn, string target, CancellationToken ct)
    {
        var ttl = context.Inputs.Values.Int("ttl")!.Value;
        var currentValue = Value(await Apis.Dns.GetRrsetAsync(zone.ManagedZone, fqdn, "A", ct));
        var earlier = context.Previous?.Outputs;
        var previous = currentValue == target && earlier.Str("fqdn") == fqdn && earlier.Str("target") == target ? earlier.Str("previous_target") : currentValue;
        context.Evidence.Check("record_before", true, new JsonObject { ["fqdn"] = fqdn, ["current"] = currentValue, ["target"] = target, ["managed_zone"] = zone.ManagedZone });
        var outputs = new JsonObject
        {
            ["fqdn"] = fqdn,
            ["record_type"] = "A",
            ["ttl"] = ttl,
            ["zone"] = zone.DnsName,
            ["target"] = target,
            ["desired"] = context.Inputs.String("desired"),
            ["previous_target"] = previous,
            ["dns_server"] = zone.Server,
            ["dry_run"] = context.Inputs.Bool("dry_run"),
        };
        if (context.Inputs.Bool("dry_run"))
        {
            context.Evidence.Note($"dry run: would point {fqdn} A from {currentValue ?? "(none)"} to {target} in Cloud DNS zone {zone.ManagedZone}");
            outputs["verified"] = false;
            outputs["verified_answer"] = currentValue;
            outputs["published_at"] = null;
            return ModuleOutcome.Ok(outputs);
        }

        if (context.Inputs.Bool("require_publish_confirm"))
        {
            context.Evidence.Guard("publish_confirm", true, new JsonObject { ["typed"] = context.Inputs.String("publish_confirm"), ["fqdn"] = fqdn, ["target"] = target });
        }

        outputs["verified_answer"] = await ReplaceAsync(fqdn, ttl, target, ct);
        outputs["verified"] = true;
        outputs["published_at"] = context.Time.GetUtcNow().ToString("O");
        context.Progress.Report($"{fqdn} A {target} (was {currentValue ?? "none"}) in Cloud DNS zone {zone.ManagedZone}, change done and read back");
        return ModuleOutcome.Ok(outputs);
    }

    private async Task<ModuleOutcome> StatusAsync(string fqdn, CancellationToken ct)
    {
        var published = context.Previous;
        if (published is null || published.Status != StateStatus.Ok || published.Outputs.Str("target") is not { } target)
        {
            throw HyopsException.From(DiagnosticCatalog.StateAbsent, $"no ok dns-routing state for {fqdn} to compare with; deploy first");
        }

        var observed = Value(await Apis.Dns.GetRrsetAsync(zone.ManagedZone, fqdn, "A", ct));
        var expected = published.Outputs["dry_run"]?.GetValue<bool>() == true ? published.Outputs.Str("verified_answer") : target;
        var ok = observed == expected;
        context.Evidence.Check("dns_answer_matches_state", ok, new JsonObject { ["fqdn"] = fqdn, ["server"] = zone.Server, ["expected"] = expected, ["answer"] = observed },
            ok ? null : DiagnosticCatalog.PublicationDrift.Code);
        if (!ok)
        {
            throw HyopsException.From(DiagnosticCatalog.PublicationDrift, $"{fqdn}: Cloud DNS zone {zone.ManagedZone} holds '{observed ?? "(none)"}' but the published state says '{expected}'");
        }

        var outputs = (JsonObject)published.Outputs.DeepClone();
        outputs.Remove("contract_version");
        outputs["verified_answer"] = observed;
        return ModuleOutcome.Ok(outputs);
    }

    private async Task<ModuleOutcome> DestroyAsync(string fqdn, CancellationToken ct)
    {
        if (!context.Inputs.Bool("revert_on_destroy") || context.Previous?.Outputs.Str("previous_target") is not { } previous || context.Previous.Outputs.Str("fqdn") != fqdn)
        {
            context.Evidence.Note($"{fqdn} left as it is in Cloud DNS (revert_on_destroy is false, or no previous value recorded)");
            return ModuleOutcome.Destroyed();
        }

        await ReplaceAsync(fqdn, context.Inputs.Values.Int("ttl")!.Value, previous, ct);
        context.Progress.Report($"{fqdn} A reverted to {previous} in Cloud DNS zone {zone.ManagedZone}");
        return ModuleOutcome.Destroyed();
    }

    /// <summary>changes.create (additions + the exact current rrset as deletions), polled until done, then read back.</summary>
    private async Task<string> ReplaceAsync(string fqdn, int ttl, string target, CancellationToken ct)
    {
        var change = await Apis.Dns.ReplaceAsync(zone.ManagedZone, fqdn, "A", ttl, [target], ct);
        var answer = Value(await Apis.Dns.GetRrsetAsync(zone.ManagedZone, fqdn, "A", ct));
        var ok = answer == target;
        context.Evidence.Check("dns_answer_verified", ok, new JsonObject
        {
            ["fqdn"] = fqdn, ["server"] = zone.Server, ["change_id"] = change["id"]?.DeepClone(), ["change_status"] = change["status"]?.DeepClone(),
            ["deletions"] = (change["deletions"] as JsonArray)?.Count ?? 0, ["answer"] = answer, ["expected"] = target,
        }, ok ? null : DiagnosticCatalog.PublicationNotVerified.Code);
        return ok ? answer! : throw HyopsException.From(DiagnosticCatalog.PublicationNotVerified,
            $"{fqdn}: Cloud DNS change {change["id"]} is done but zone {zone.ManagedZone} holds '{answer ?? "(none)"}', expected '{target}'");
    }

    private static string? Value(JsonObject? rrset) =>
        rrset?["rrdatas"] is JsonArray { Count: > 0 } data ? string.Join(",", data.Select(d => d!.GetValue<string>())) : null;

    public void Dispose() => apis?.Dispose();

    /// <summary>The cloud_dns inputs: managed zone name, its DNS name, the gcp settings.</summary>
    private sealed record CloudDnsZone(string ManagedZone, string DnsName, GcpSettings Settings)
    {
        public string Server => $"clouddns:{Settings.Project}/{ManagedZone}";

        public static CloudDnsZone From(ModuleContext context)
        {
            var input = context.Inputs.Values["cloud_dns"] as JsonObject ?? [];
            var managedZone = input.Str("managed_zone") ?? "";
            var dnsName = PowerDnsClient.Canonical(input.Str("zone") ?? "");
            var settings = ProviderLocation.GcpFromJson(input["gcp"] as JsonObject);
            if (managedZone.Length == 0 || dnsName.Length <= 1 || settings is null)
            {
                throw HyopsException.From(DiagnosticCatalog.InputRequired,
                    "backend clouddns needs cloud_dns.managed_zone (the zone's name), cloud_dns.zone (its DNS name, e.g. hyops.lab.) and cloud_dns.gcp.project (docs/gcp.md)");
            }

            return new CloudDnsZone(managedZone, dnsName, settings);
        }
    }
}
