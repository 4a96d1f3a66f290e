using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Exec;
using HybridOps.Providers.Local;

namespace HybridOps.Providers.Managed;

/// <summary>Picks the provider named by the `provider` input. Pure: no I/O, so modules call it in Validate.</summary>
public sealed class ManagedProviders(IProcessRunner runner, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Known = ["local", "gcp"];

    public IManagedPostgresProvider Create(ProviderLocation location) => location.Provider switch
    {
        "local" => new LocalManagedPostgres(new LocalProviderOptions(location.DataRoot, location.AddressPrefix), runner, time),
        "gcp" => throw HyopsException.From(DiagnosticCatalog.ProviderNotAvailable,
            "provider 'gcp' (Cloud SQL Admin + Database Migration Service) is not available in this build"),
        var other => throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"provider '{other}' is unknown (known: {string.Join(", ", Known)})"),
    };
}
