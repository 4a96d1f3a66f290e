namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>What stands behind a fake Cloud SQL instance: only an address, or a real PostgreSQL server.</summary>
public interface IFakeInstanceBackend
{
    /// <summary>Creates the server (or just picks its address) and returns the address clients connect to.</summary>
    Task<string> CreateAsync(string name, string adminUser, string adminPassword, IReadOnlyList<string> authorizedNetworks, bool replica);

    /// <summary>users.insert / users.update: a login user with that password.</summary>
    Task SetUserAsync(string name, string user, string password);

    Task SetAuthorizedNetworksAsync(string name, IReadOnlyList<string> cidrs);

    Task SetFlagsAsync(string name, IReadOnlyDictionary<string, string> flags);

    /// <summary>Lifts the replica's read-only state (the DMS promote, or promoteReplica).</summary>
    Task PromoteAsync(string name);

    Task DeleteAsync(string name);
}
