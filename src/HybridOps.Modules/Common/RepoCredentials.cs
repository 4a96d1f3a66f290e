using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;

namespace HybridOps.Modules.Common;

/// <summary>Cloud repository credentials for pgBackRest, resolved from the key NAMES an object-repo/v1 contract publishes.</summary>
internal static class RepoCredentials
{
    public static Dictionary<string, string> Environment(JsonObject repo, SecretResolver secrets)
    {
        var keys = repo["credential_env_keys"];
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string input, string variable)
        {
            if (keys.Str(input) is { } name)
            {
                env[variable] = secrets.Resolve(name);
            }
        }

        switch (repo.Str("backend"))
        {
            case "s3":
                Add("s3_access_key_env", "PGBACKREST_REPO1_S3_KEY");
                Add("s3_secret_key_env", "PGBACKREST_REPO1_S3_KEY_SECRET");
                break;
            case "gcs":
                // repo-gcs-key: for key type service, the PATH of the service-account key file on the database host (the file stays 0600 there).
                Add("gcs_sa_json_env", "PGBACKREST_REPO1_GCS_KEY");
                break;
            case "azure":
                Add("azure_key_env", "PGBACKREST_REPO1_AZURE_KEY");
                break;
        }

        return env;
    }
}
