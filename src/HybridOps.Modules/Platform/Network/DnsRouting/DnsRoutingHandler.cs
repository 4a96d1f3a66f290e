using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Core.State;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Dns;

namespace HybridOps.Modules.Platform.Network.DnsRouting;

/// <summary>
/// platform/network/dns-routing: points the service record at the target through the PowerDNS API,
/// then proves it with a real DNS query to the authority (backend clouddns: <see cref="CloudDnsRouting"/>). API failures are HYO4010 (exit 9), an
/// answer that never shows up HYO6010 (exit 9), drift found by status HYO6011 (exit 9).
/// </summary>
public sealed class DnsRoutingHandler(Func<string, string, string, PowerDnsClient> clientFactory) : IModuleHandler
{
    public const string Ref = "platform/network/dns-routing";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(150);

    public DnsRoutingHandler()
        : this((url, server, key) => PowerDnsClient.Create(url, server, key, TimeSpan.FromSeconds(5)))
    {
    }

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var v = context.Inputs.Values;
        if (!string.Equals(v.Str("record_type"), "A", StringComparison.OrdinalIgnoreCase))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"record_type '{v.Str("record_type")}' is not supported (only A)");
        }

        if (v.Int("ttl") is not (> 0 and <= 86400))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "ttl must be 1..86400 seconds");
        }

        if (v.Int("verify_timeout_s") is not (> 0 and <= 300))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "verify_timeout_s must be 1..300 seconds");
        }

        if (Uri.CheckHostName(v.Str("fqdn")?.TrimEnd('.')) != UriHostNameType.Dns)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"fqdn '{v.Str("fqdn")}' is not a domain name");
        }

        switch (context.Inputs.String("backend") ?? "powerdns")
        {
            case "powerdns":
                break;
            case "clouddns":
                CloudDnsRouting.Validate(context);
                break;
            case var other:
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"backend '{other}' must be powerdns or clouddns");
        }

        if (context.Action == "deploy")
        {
            if (v.Str("target_host") is { } host && !IsIPv4(host))
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"target_host '{host}' must be an IPv4 address for an A record");
            }

            if (v.Str("target_host") is null && (v.Str("endpoint_state_ref") is null || v.Str("endpoint_host_output_key") is null))
            {
                throw HyopsException.From(DiagnosticCatalog.InputRequired, "set target_host, or endpoint_state_ref + endpoint_host_output_key");
            }

            if (context.Inputs.Bool("require_publish_confirm") && !context.Inputs.Bool("dry_run")
                && !string.Equals(PowerDnsClient.Canonical(context.Inputs.String("publish_confirm") ?? ""), PowerDnsClient.Canonical(v.Str("fqdn")!), StringComparison.OrdinalIgnoreCase))
            {
                throw HyopsException.From(DiagnosticCatalog.PublishConfirmRequired, $"publish_confirm is '{context.Inputs.String("publish_confirm") ?? ""}', expected the fqdn '{v.Str("fqdn")}'; nothing was changed");
            }
        }
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        if (context.Inputs.String("backend") == "clouddns")
        {
            using var cloud = new CloudDnsRouting(context);
            return await cloud.RunAsync(PowerDnsClient.Canonical(context.Inputs.String("fqdn")!), () => Target(context), cancellationToken);
        }

        var authority = Authority.From(context);
        var fqdn = PowerDnsClient.Canonical(context.Inputs.String("fqdn")!);
        if (!fqdn.EndsWith("." + authority.Zone, StringComparison.OrdinalIgnoreCase) && !string.Equals(fqdn, authority.Zone, StringComparison.OrdinalIgnoreCase))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"fqdn '{fqdn}' is not inside the authority's zone '{authority.Zone}'");
        }

        return context.Action switch
        {
            "status" => await StatusAsync(context, authority, fqdn, cancellationToken),
            "destroy" => await DestroyAsync(context, authority, fqdn, cancellationToken),
            _ => await DeployAsync(context, authority, fqdn, cancellationToken),
        };
    }

    private async Task<ModuleOutcome> DeployAsync(ModuleContext context, Authority authority, string fqdn, CancellationToken ct)
    {
        var target = Target(context);
        var ttl = context.Inputs.Values.Int("ttl")!.Value;
        var dryRun = context.Inputs.Bool("dry_run");
        var client = Client(context, authority);
        var current = await CallAsync(() => client.GetRecordsAsync(authority.Zone, fqdn, "A", ct))
            ?? throw HyopsException.From(DiagnosticCatalog.PublicationFailed, $"zone '{authority.Zone}' does not exist on {authority.ApiUrl}");
        var currentValue = current.Count == 0 ? null : string.Join(",", current);

        // An idempotent redeploy keeps the value from before the change, so revert still has somewhere to go.
        var earlier = context.Previous?.Outputs;
        var previous = currentValue == target && earlier.Str("fqdn") == fqdn && earlier.Str("target") == target
            ? earlier.Str("previous_target")
            : currentValue;
        context.Evidence.Check("record_before", true, new JsonObject { ["fqdn"] = fqdn, ["current"] = currentValue, ["target"] = target });

        var outputs = new JsonObject
        {
            ["fqdn"] = fqdn,
            ["record_type"] = "A",
            ["ttl"] = ttl,
            ["zone"] = authority.Zone,
            ["target"] = target,
            ["desired"] = context.Inputs.String("desired"),
            ["previous_target"] = previous,
            ["dns_server"] = authority.DnsEndpoint,
            ["dry_run"] = dryRun,
        };
        if (dryRun)
        {
            context.Evidence.Note($"dry run: would point {fqdn} A from {currentValue ?? "(none)"} to {target}");
            outputs["verified"] = false;
            outputs["verified_answer"] = currentValue;
            outputs["published_at"] = null;
            return ModuleOutcome.Ok(outputs);
        }

        if (context.Inputs.Bool("require_publish_confirm"))
        {
            context.Evidence.Guard("publish_confirm", true, new JsonObject { ["typed"] = context.Inputs.String("publish_confirm"), ["fqdn"] = fqdn, ["target"] = target });
        }

        await PatchAsync(context, client, authority, fqdn, ttl, target, ct);
        var answer = await VerifyAsync(context, authority, fqdn, target, ct);
        outputs["verified"] = true;
        outputs["verified_answer"] = answer;
        outputs["published_at"] = context.Time.GetUtcNow().ToString("O");
        context.Progress.Report($"{fqdn} A {target} (was {currentValue ?? "none"}), verified by DNS at {authority.DnsEndpoint}");
        return ModuleOutcome.Ok(outputs);
    }

    private static async Task<ModuleOutcome> StatusAsync(ModuleContext context, Authority authority, string fqdn, CancellationToken ct)
    {
        var published = context.Previous;
        if (published is null || published.Status != StateStatus.Ok || published.Outputs.Str("target") is not { } target)
        {
            throw HyopsException.From(DiagnosticCatalog.StateAbsent, $"no ok dns-routing state for {fqdn} to compare with; deploy first");
        }

        var answer = await DnsQuery.QueryAAsync(authority.DnsHost, authority.DnsPort, fqdn, TimeSpan.FromSeconds(2), ct);
        var observed = answer is null ? null : string.Join(",", answer.Addresses);
        var expected = published.Outputs["dry_run"]?.GetValue<bool>() == true ? published.Outputs.Str("verified_answer") : target;
        var ok = answer is not null && observed == expected;
        context.Evidence.Check("dns_answer_matches_state", ok, new JsonObject
        {
            ["fqdn"] = fqdn, ["server"] = authority.DnsEndpoint, ["expected"] = expected, ["answer"] = observed, ["rcode"] = answer?.ResponseCode,
        }, ok ? null : DiagnosticCatalog.PublicationDrift.Code);
        if (!ok)
        {
            throw HyopsException.From(DiagnosticCatalog.PublicationDrift, answer is null
                ? $"{fqdn}: the authority {authority.DnsEndpoint} did not answer"
                : $"{fqdn}: DNS answers '{observed}' but the published state says '{expected}'");
        }

        var outputs = (JsonObject)published.Outputs.DeepClone();
        outputs.Remove("contract_version");
        outputs["verified_answer"] = observed;
        return ModuleOutcome.Ok(outputs);
    }

    private async Task<ModuleOutcome> DestroyAsync(ModuleContext context, Authority authority, string fqdn, CancellationToken ct)
    {
        if (!context.Inputs.Bool("revert_on_destroy"))
        {
            context.Evidence.Note($"{fqdn} left as it is (revert_on_destroy is false)");
            return ModuleOutcome.Destroyed();
        }

        if (context.Previous?.Outputs.Str("previous_target") is not { } previous || context.Previous.Outputs.Str("fqdn") != fqdn)
        {
            context.Evidence.Note($"{fqdn}: no previous value recorded in state; record left as it is");
            return ModuleOutcome.Destroyed();
        }

        var ttl = context.Inputs.Values.Int("ttl")!.Value;
        var client = Client(context, authority);
        await PatchAsync(context, client, authority, fqdn, ttl, previous, ct);
        await VerifyAsync(context, authority, fqdn, previous, ct);
        context.Progress.Report($"{fqdn} A reverted to {previous}");
        return ModuleOutcome.Destroyed();
    }

    private static async Task PatchAsync(ModuleContext context, PowerDnsClient client, Authority authority, string fqdn, int ttl, string target, CancellationToken ct)
    {
        var started = context.Time.GetTimestamp();
        var argv = new[] { "PATCH", $"{authority.ApiUrl}/api/v1/servers/{authority.ServerId}/zones/{authority.Zone}", fqdn, "A", target };
        try
        {
            await CallAsync(async () =>
            {
                await client.ReplaceRrsetAsync(authority.Zone, fqdn, "A", ttl, [target], ct);
                return true;
            });
            context.Evidence.Action("powerdns_replace_rrset", argv, 0, context.Time.GetElapsedTime(started));
        }
        catch (HyopsException ex)
        {
            context.Evidence.Action("powerdns_replace_rrset", argv, 1, context.Time.GetElapsedTime(started), new JsonObject { ["error"] = ex.Diagnostics[0].Message });
            throw;
        }
    }

    private static async Task<string> VerifyAsync(ModuleContext context, Authority authority, string fqdn, string target, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(context.Inputs.Values.Int("verify_timeout_s")!.Value);
        var started = context.Time.GetTimestamp();
        string? last = null;
        var attempts = 0;
        while (true)
        {
            attempts++;
            var answer = await DnsQuery.QueryAAsync(authority.DnsHost, authority.DnsPort, fqdn, TimeSpan.FromSeconds(1), ct);
            last = answer is null ? null : string.Join(",", answer.Addresses);
            if (last == target)
            {
                context.Evidence.Check("dns_answer_verified", true, new JsonObject
                {
                    ["fqdn"] = fqdn, ["server"] = authority.DnsEndpoint, ["answer"] = last, ["attempts"] = attempts,
                    ["elapsed_ms"] = Math.Round(context.Time.GetElapsedTime(started).TotalMilliseconds, 1),
                });
                return last;
            }

            if (context.Time.GetElapsedTime(started) >= timeout)
            {
                context.Evidence.Check("dns_answer_verified", false, new JsonObject
                {
                    ["fqdn"] = fqdn, ["server"] = authority.DnsEndpoint, ["answer"] = last, ["expected"] = target, ["attempts"] = attempts,
                }, DiagnosticCatalog.PublicationNotVerified.Code);
                throw HyopsException.From(DiagnosticCatalog.PublicationNotVerified,
                    $"{fqdn}: {authority.DnsEndpoint} still answers '{last ?? "(no answer)"}' after {timeout.TotalSeconds:0}s, expected '{target}'");
            }

            await Task.Delay(Poll, context.Time, ct);
        }
    }

    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (PowerDnsException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.PublicationFailed, ex.Message);
        }
    }

    private PowerDnsClient Client(ModuleContext context, Authority authority) =>
        clientFactory(authority.ApiUrl, authority.ServerId, context.Secrets.Resolve(authority.ApiKeyEnv));

    private static string Target(ModuleContext context)
    {
        if (context.Inputs.String("target_host") is { } host)
        {
            return host;
        }

        var key = context.Inputs.String("endpoint_host_output_key")!;
        var state = context.Inputs.State("endpoint_state_ref")!;
        return state.Outputs.Str(key) is { } value && IsIPv4(value)
            ? value
            : throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"state '{state.ModuleRef}' output '{key}' is not an IPv4 address ('{state.Outputs.Str(key)}')");
    }

    private static bool IsIPv4(string text) =>
        IPAddress.TryParse(text, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;

    private sealed record Authority(string ApiUrl, string ServerId, string Zone, string DnsHost, int DnsPort, string ApiKeyEnv)
    {
        public string DnsEndpoint => $"{DnsHost}:{DnsPort.ToString(CultureInfo.InvariantCulture)}";

        public static Authority From(ModuleContext context)
        {
            var s = context.Inputs.State("powerdns_state_ref")
                ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "powerdns_state_ref must name the DNS authority state");
            var o = s.Outputs;
            return o.Str("api_url") is { } api && o.Str("zone") is { } zone && o.Str("dns_server_host") is { } host
                && o.Int("dns_server_port") is { } port && o.Str("api_key_env") is { } keyEnv
                ? new Authority(api, o.Str("server_id") ?? "localhost", PowerDnsClient.Canonical(zone), host, port, keyEnv)
                : throw HyopsException.From(DiagnosticCatalog.StateContractVersion, $"state '{s.ModuleRef}' lacks api_url/zone/dns_server_host/dns_server_port/api_key_env");
        }
    }
}
