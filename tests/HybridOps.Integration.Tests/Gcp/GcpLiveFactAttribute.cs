namespace HybridOps.Integration.Tests.Gcp;

/// <summary>A test that talks to a real Google Cloud project: skipped, saying what to set, unless HYOPS_GCP_PROJECT and a key file are given.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GcpLiveFactAttribute : FactAttribute
{
    public const string ProjectEnv = "HYOPS_GCP_PROJECT";
    public const string RegionEnv = "HYOPS_GCP_REGION";
    public const string KeyEnv = "GOOGLE_APPLICATION_CREDENTIALS";

    public GcpLiveFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ProjectEnv)) || !File.Exists(Environment.GetEnvironmentVariable(KeyEnv) ?? ""))
        {
            Skip = $"live Google Cloud smoke test: set {ProjectEnv} (a project with the Cloud SQL Admin and Database Migration APIs enabled), "
                + $"{KeyEnv} (path of a service-account JSON key with the roles in docs/gcp.md) and optionally {RegionEnv} (default europe-west2); it creates and deletes one small instance (billed)";
        }
    }
}
