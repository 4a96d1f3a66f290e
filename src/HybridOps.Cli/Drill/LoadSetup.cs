using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Core.State;
using HybridOps.Lab;
using HybridOps.Lab.Load;

namespace HybridOps.Cli.Drill;

/// <summary>
/// Builds a write load for a runtime root: the DNS authority comes from its published state
/// (platform/network/powerdns-authority), the password from the env/vault key named by the caller.
/// </summary>
public static class LoadSetup
{
    public const string AuthorityRef = "platform/network/powerdns-authority";
    public const string DefaultPasswordEnv = "HYOPS_LAB_PG_SUPERUSER_PASSWORD";

    public static WriteLoadOptions Options(HyopsRuntime runtime, string outDir, double rate, TimeSpan? duration,
        string? serviceRecord = null, string? passwordEnv = null, string user = "postgres", string authorityState = AuthorityRef)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if (!(rate > 0) || double.IsInfinity(rate))
        {
            throw HyopsException.From(DiagnosticCatalog.DrillOptionInvalid, $"--rate must be a number > 0 (got {rate})");
        }

        if (duration is { } d && d <= TimeSpan.Zero)
        {
            throw HyopsException.From(DiagnosticCatalog.DrillOptionInvalid, $"--duration must be > 0 seconds (got {d.TotalSeconds})");
        }

        var authority = runtime.States.RequireOk(StateRef.Parse(authorityState, "dns_state_ref"), "dns_state_ref");
        var host = authority.Outputs["dns_server_host"]?.GetValue<string>();
        var port = authority.Outputs["dns_server_port"]?.GetValue<int>() ?? 53;
        if (string.IsNullOrEmpty(host))
        {
            throw HyopsException.From(DiagnosticCatalog.StateNotOk, $"state '{authorityState}' publishes no dns_server_host");
        }

        var password = runtime.Secrets.Resolve(passwordEnv ?? DefaultPasswordEnv);
        return new WriteLoadOptions(host, port, serviceRecord ?? LabTopology.ServiceRecord, user, password, outDir)
        {
            Rate = rate,
            Duration = duration,
        };
    }
}
