namespace HybridOps.Providers.Gcp;

/// <summary>How hyops names what it creates in a project, so a rerun finds (and adopts) its own resources.</summary>
public static class GcpNames
{
    /// <summary>The DMS destination connection profile of a standby: DMS names the Cloud SQL instance it creates after the profile.</summary>
    public static string DestinationProfile(string instance) => instance;

    public static string SourceProfile(string instance) => $"{instance}-source";

    public static string MigrationJob(string instance) => $"{instance}-dr";

    /// <summary>Cloud SQL user label holding the admin user name (the API does not say which user an operator chose).</summary>
    public const string AdminUserLabel = "hyops-admin-user";

    /// <summary>Cloud SQL user label: unix seconds of the promotion (labels allow no ':').</summary>
    public const string PromotedAtLabel = "hyops-promoted-at";

    /// <summary>A requestId for one call: letters, digits, '-' and '_', at most 40 characters (DMS rule); retries of the call reuse it.</summary>
    public static string RequestId() => "hyops-" + Guid.NewGuid().ToString("N")[..32];
}
