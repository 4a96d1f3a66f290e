namespace HybridOps.Providers.Gcp;

/// <summary>
/// Where the Google APIs are and how hyops authenticates to them. The base URLs default to Google's
/// public endpoints; tests point them at the loopback fake (docs/gcp.md). No secret is held here: only
/// the NAME of the env key whose value is the path of the service-account key file.
/// </summary>
public sealed record GcpSettings(string Project, string Region)
{
    public const string DefaultCredentialsEnv = "GOOGLE_APPLICATION_CREDENTIALS";

    /// <summary>The scope every call is authorized with (the roles of the service account narrow it).</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    public string CredentialsEnv { get; init; } = DefaultCredentialsEnv;

    public Uri SqlAdminBase { get; init; } = new("https://sqladmin.googleapis.com/");

    public Uri DataMigrationBase { get; init; } = new("https://datamigration.googleapis.com/");

    public Uri DnsBase { get; init; } = new("https://dns.googleapis.com/");

    /// <summary>How long one long-running operation may take before HYO8007 (Cloud SQL creates take minutes).</summary>
    public TimeSpan OperationBudget { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>One HTTP attempt; the retry policy may make up to <see cref="GcpPolicies.MaxAttempts"/> of them.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
