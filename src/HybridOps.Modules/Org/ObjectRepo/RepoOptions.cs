namespace HybridOps.Modules.Org.ObjectRepo;

/// <summary>The normalized repository location every consumer reads (object-repo/v1).</summary>
public sealed record RepoLocation(string Provider, string Bucket, string Path, string? Region, string? Endpoint, string? LocalRoot)
{
    /// <summary>gcs only: pgBackRest repo-gcs-key-type (service: a service-account key file; token: an access token; auto: the VM's metadata server).</summary>
    public string GcsKeyType { get; init; } = "service";
}

/// <summary>
/// Maps a repository location to pgBackRest repo1-* options and a repo URI. Only non-secret options:
/// keys and service-account files reach pgBackRest through PGBACKREST_REPO1_* environment variables
/// named by the *_env inputs, never through this map.
/// </summary>
public static class RepoOptions
{
    public static readonly IReadOnlyList<string> Providers = ["local", "gcs", "s3", "azure"];

    /// <summary>pgBackRest's repo-gcs-key-type values.</summary>
    public static readonly IReadOnlyList<string> GcsKeyTypes = ["service", "token", "auto"];

    /// <summary>repo path: always starts with '/', never ends with one (except the root itself).</summary>
    public static string NormalizePath(string? path)
    {
        var p = string.IsNullOrWhiteSpace(path) ? "/pgbackrest" : path.Trim();
        p = "/" + p.Trim('/');
        return p;
    }

    public static SortedDictionary<string, string> PgBackRest(RepoLocation repo)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var path = NormalizePath(repo.Path);
        var o = new SortedDictionary<string, string>(StringComparer.Ordinal);
        switch (repo.Provider)
        {
            case "local":
                o["repo1-type"] = "posix";
                o["repo1-path"] = LocalDirectory(repo);
                break;
            case "s3":
                o["repo1-type"] = "s3";
                o["repo1-s3-bucket"] = repo.Bucket;
                o["repo1-s3-endpoint"] = repo.Endpoint ?? $"s3.{repo.Region ?? "us-east-1"}.amazonaws.com";
                o["repo1-s3-region"] = repo.Region ?? "us-east-1";
                o["repo1-path"] = path;
                break;
            case "gcs":
                o["repo1-type"] = "gcs";
                o["repo1-gcs-bucket"] = repo.Bucket;
                o["repo1-gcs-key-type"] = GcsKeyTypes.Contains(repo.GcsKeyType)
                    ? repo.GcsKeyType
                    : throw new ArgumentException($"gcs key type '{repo.GcsKeyType}' is not one of {string.Join(", ", GcsKeyTypes)}", nameof(repo));
                if (repo.Endpoint is not null)
                {
                    o["repo1-gcs-endpoint"] = repo.Endpoint;
                }

                o["repo1-path"] = path;
                break;
            case "azure":
                o["repo1-type"] = "azure";
                o["repo1-azure-container"] = repo.Bucket;
                if (repo.Endpoint is not null)
                {
                    o["repo1-azure-endpoint"] = repo.Endpoint;
                }

                o["repo1-path"] = path;
                break;
            default:
                throw new ArgumentException($"provider '{repo.Provider}' is not one of {string.Join(", ", Providers)}", nameof(repo));
        }

        return o;
    }

    public static string Uri(RepoLocation repo)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var path = NormalizePath(repo.Path);
        return repo.Provider switch
        {
            "local" => "file://" + LocalDirectory(repo),
            "gcs" => $"gs://{repo.Bucket}{path}",
            "s3" => $"s3://{repo.Bucket}{path}",
            "azure" => $"azure://{repo.Bucket}{path}",
            _ => throw new ArgumentException($"provider '{repo.Provider}' is not one of {string.Join(", ", Providers)}", nameof(repo)),
        };
    }

    /// <summary>local provider: the bucket is a directory under local_root; the repo path lives inside it.</summary>
    public static string LocalDirectory(RepoLocation repo)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var root = repo.LocalRoot ?? throw new ArgumentException("provider 'local' needs local_root", nameof(repo));
        return root.TrimEnd('/') + "/" + repo.Bucket + NormalizePath(repo.Path);
    }
}
