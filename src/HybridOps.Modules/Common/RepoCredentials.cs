using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Modules.Common;

/// <summary>
/// Cloud repository credentials for pgBackRest, resolved from the key NAMES an object-repo/v1 contract
/// publishes (credential_env_keys). <see cref="ConfigSecrets"/> goes into every member's 0600
/// pgbackrest.conf (backup, archive-push, archive-get); <see cref="Environment"/> serves a call made
/// before any config exists (PGBACKREST_REPO1_* variables, never argv).
/// </summary>
internal static class RepoCredentials
{
    // input (key NAME) -> pgBackRest option, per backend. gcs: repo1-gcs-key is, for key type service, the
    // PATH of the service-account key file on the database host (that file stays 0600 there).
    private static readonly Dictionary<string, (string Input, string Option)[]> Map = new(StringComparer.Ordinal)
    {
        ["s3"] = [("s3_access_key_env", "repo1-s3-key"), ("s3_secret_key_env", "repo1-s3-key-secret")],
        ["azure"] = [("azure_key_env", "repo1-azure-key")],
        ["gcs"] = [("gcs_sa_json_env", "repo1-gcs-key")],
    };

    public static IReadOnlyList<RepoSecret> ConfigSecrets(JsonObject repo, SecretResolver secrets)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(secrets);
        var keys = repo["credential_env_keys"];
        var found = new List<RepoSecret>();
        foreach (var (input, option) in Map.GetValueOrDefault(repo.Str("backend") ?? "", []))
        {
            if (keys.Str(input) is { Length: > 0 } name)
            {
                found.Add(new RepoSecret(option, name, secrets.Resolve(name)));
            }
        }

        return found;
    }

    /// <summary>
    /// The same credentials as PGBACKREST_REPO1_* variables (repo1-s3-key -> PGBACKREST_REPO1_S3_KEY), plus the
    /// published options pgBackRest refuses on a command line (repo1-azure-account).
    /// </summary>
    public static Dictionary<string, string> Environment(JsonObject repo, SecretResolver secrets)
    {
        var env = ConfigSecrets(repo, secrets).ToDictionary(s => PgBackRestConfig.EnvironmentName(s.Option), s => s.Value, StringComparer.Ordinal);
        foreach (var (option, value) in repo["pgbackrest_options"] as JsonObject ?? [])
        {
            if (PgBackRestConfig.CommandLineRefused.Contains(option) && value is not null)
            {
                env[PgBackRestConfig.EnvironmentName(option)] = value.GetValue<string>();
            }
        }

        return env;
    }
}
