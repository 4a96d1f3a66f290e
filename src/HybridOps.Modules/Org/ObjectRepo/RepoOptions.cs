namespace HybridOps.Modules.Org.ObjectRepo;

/// <summary>The normalized repository location every consumer reads (object-repo/v1).</summary>
public sealed record RepoLocation(string Provider, string Bucket, string Path, string? Region, string? Endpoint, string? LocalRoot)
{
    /// <summary>gcs only: pgBackRest repo-gcs-key-type (service: a service-account key file; token: an access token; auto: the VM's metadata server).</summary>
    public string GcsKeyType { get; init; } = "service";

    /// <summary>repo1-storage-port: the store's HTTPS port when it is not 443.</summary>
    public int? Port { get; init; }

    /// <summary>repo1-storage-ca-file: the CA that signed the store's certificate (verification stays on).</summary>
    public string? CaFile { get; init; }

    /// <summary>repo1-s3-uri-style / repo1-azure-uri-style: host (the cloud default) or path (emulators, S3-compatible stores).</summary>
    public string? UriStyle { get; init; }

    /// <summary>io-timeout: seconds pgBackRest waits for the store per connection/read/write (its default: 60; it retries several times).</summary>
    public int? IoTimeoutS { get; init; }

    /// <summary>azure: the storage account name (not a secret; its key is named by azure_key_env).</summary>
    public string? Account { get; init; }
}

/// <summary>
/// Maps a repository location to pgBackRest repo1-* options and a repo URI. Only non-secret options:
/// the keys named by the *_env inputs are resolved by the consumers and written into each host's
/// 0600 pgbackrest.conf, never into this map.
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
                if (repo.UriStyle is { } s3Style)
                {
                    o["repo1-s3-uri-style"] = s3Style;
                }

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

                if (repo.Account is { } account)
                {
                    o["repo1-azure-account"] = account;
                }

                if (repo.UriStyle is { } azStyle)
                {
                    o["repo1-azure-uri-style"] = azStyle;
                }

                o["repo1-path"] = path;
                break;
            default:
                throw new ArgumentException($"provider '{repo.Provider}' is not one of {string.Join(", ", Providers)}", nameof(repo));
        }

        if (repo.Provider != "local")
        {
            if (repo.Port is { } port)
            {
                o["repo1-storage-port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (repo.IoTimeoutS is { } timeout)
            {
                o["io-timeout"] = timeout.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (repo.CaFile is { } ca)
            {
                o["repo1-storage-ca-file"] = ca;
            }
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
