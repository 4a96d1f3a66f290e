using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Exec;
using HybridOps.Providers.Gcp;
using HybridOps.Providers.Local;

namespace HybridOps.Providers.Managed;

/// <summary>
/// Picks the provider named by the `provider` input. Pure: no I/O (gcp loads its key and talks to
/// Google only on the first call), so modules call it in Validate.
/// </summary>
public sealed class ManagedProviders(TimeProvider time)
{
    public static readonly IReadOnlyList<string> Known = ["local", "gcp"];

    /// <param name="secret">Resolves an env/vault key by name (gcp: the key file path is the value of the credentials env key).</param>
    public IManagedPostgresProvider Create(ProviderLocation location, Func<string, string>? secret = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Provider switch
        {
            "local" when location.Host is { } host => new LocalManagedPostgres(new LocalProviderOptions(location.DataRoot, location.AddressPrefix),
                Postgres.Hosts.SiteHostEntry.Parse(host), Postgres.Hosts.SiteHostEntry.ServiceManager(host), time) { HostEntry = host },
            "local" => throw HyopsException.From(DiagnosticCatalog.InputRequired,
                "provider local runs its PostgreSQL on a host reached over ssh, and this location names none: give input 'provider_host'"),
            "gcp" => CreateGcp(location, secret),
            var other => throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"provider '{other}' is unknown (known: {string.Join(", ", Known)})"),
        };
    }

    private GcpManagedPostgres CreateGcp(ProviderLocation location, Func<string, string>? secret)
    {
        var settings = location.Gcp ?? throw HyopsException.From(DiagnosticCatalog.InputRequired,
            "provider gcp needs input 'gcp.project' (and gcp.region): the Google Cloud project that holds the instance");
        var tokens = new ServiceAccountTokenSource(() => secret is null
            ? throw HyopsException.From(DiagnosticCatalog.GcpCredentialsUnavailable, $"no secret source to read {settings.CredentialsEnv} from")
            : secret(settings.CredentialsEnv), time);
        return new GcpManagedPostgres(new GcpApis(settings, tokens, time), location, time);
    }
}
