using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Hosts;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Modules.Org.ObjectRepo;

/// <summary>
/// org/{gcp,aws,azure}/object-repo: publishes the normalized object repository contract
/// (object-repo/v1). Provider `local` makes the bucket a directory owned by the database OS user;
/// cloud providers are published as declared (no cloud API is called yet). Credentials are env-key
/// NAMES only. Destroy never deletes repository data; purging is a separate, explicit command.
/// </summary>
public sealed partial class ObjectRepoHandler(string moduleRef, IProcessRunner runner) : IModuleHandler
{
    public const string GcpRef = "org/gcp/object-repo";
    public const string AwsRef = "org/aws/object-repo";
    public const string AzureRef = "org/azure/object-repo";

    private static readonly string[] CredentialKeys = ["gcs_sa_json_env", "s3_access_key_env", "s3_secret_key_env", "azure_key_env"];

    public string ModuleRef => moduleRef;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();

    public void Validate(ModuleContext context)
    {
        var provider = context.Inputs.String("provider");
        if (provider is null || !RepoOptions.Providers.Contains(provider))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"provider '{provider}' is not one of {string.Join(", ", RepoOptions.Providers)}");
        }

        var bucket = context.Inputs.String("bucket") ?? "";
        if (!BucketPattern().IsMatch(bucket))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"bucket '{bucket}' must be 3-63 characters of a-z, 0-9, '.', '-', '_'");
        }

        var path = context.Inputs.String("path") ?? "/pgbackrest";
        if (path.Contains("..", StringComparison.Ordinal) || path.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\'))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"path '{path}' must be a plain absolute path without '..', quotes or spaces");
        }

        if (provider == "local")
        {
            var root = LocalRoot(context);
            if (root is null || !Path.IsPathFullyQualified(root) || root.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"'))
            {
                throw HyopsException.From(DiagnosticCatalog.InputRequired, "provider 'local' needs input 'local_root': an absolute directory path without spaces or quotes");
            }
        }

        if (provider == "gcs" && !RepoOptions.GcsKeyTypes.Contains(context.Inputs.String("gcs_key_type") ?? "service"))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid,
                $"gcs_key_type '{context.Inputs.String("gcs_key_type")}' is not one of {string.Join(", ", RepoOptions.GcsKeyTypes)} (pgBackRest repo-gcs-key-type)");
        }

        if (provider == "s3" && context.Inputs.String("region") is null)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "provider 's3' needs input 'region'");
        }

        if (provider == "azure" && context.Inputs.String("account") is null)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "provider 'azure' needs input 'account' (the storage account name)");
        }

        if (context.Inputs.Values.Int("port") is < 0 or > 65535)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"port {context.Inputs.Values.Int("port")} must be 1-65535 (0: the store's default, 443)");
        }

        if (context.Inputs.Values.Int("io_timeout_s") is < 0 or > 3600)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"io_timeout_s {context.Inputs.Values.Int("io_timeout_s")} must be 1-3600 (0: pgBackRest's 60)");
        }

        if (context.Inputs.String("uri_style") is { } style && style is not ("host" or "path"))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"uri_style '{style}' must be 'host' or 'path'");
        }

        if (context.Inputs.String("ca_file") is { } ca && (!Path.IsPathFullyQualified(ca) || ca.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"')))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"ca_file '{ca}' must be an absolute path without spaces or quotes (the file must be readable on every database host)");
        }
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var repo = Location(context);
        if (context.Action == "destroy")
        {
            context.Evidence.Note($"destroy retires the published repository contract only; repository data at {RepoOptions.Uri(repo)} is kept (purge is a separate, explicit command)");
            context.Evidence.Check("repository_data_kept", true, new JsonObject { ["repo_uri"] = RepoOptions.Uri(repo), ["deleted"] = false });
            return ModuleOutcome.Destroyed();
        }

        if (repo.Provider == "local" && InventoryHosts.FromInventory(SitePaths.Inventory(context)) is { } siteHosts)
        {
            await using (siteHosts)
            {
                await EnsureOnHostsAsync(context, repo, siteHosts, cancellationToken);
            }
        }
        else if (repo.Provider == "local")
        {
            var owner = context.Inputs.String("local_owner") ?? "postgres";
            var dirs = new OwnedPaths(runner, owner);
            var bucketDir = repo.LocalRoot!.TrimEnd('/') + "/" + repo.Bucket;
            var repoDir = RepoOptions.LocalDirectory(repo);
            var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
            if (context.Action == "deploy")
            {
                foreach (var dir in new[] { repo.LocalRoot!, bucketDir, repoDir }.Distinct(StringComparer.Ordinal))
                {
                    await dirs.EnsureDirectoryAsync(dir, mode, cancellationToken);
                }
            }

            var exists = Directory.Exists(repoDir);
            context.Evidence.Check("local_repository_directory", exists, new JsonObject { ["path"] = repoDir, ["owner"] = owner, ["mode"] = "0750" },
                exists ? null : DiagnosticCatalog.SourceMisconfigured.Code);
            if (!exists)
            {
                throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured, $"local repository directory '{repoDir}' does not exist");
            }
        }
        else
        {
            context.Evidence.Note($"provider '{repo.Provider}': the contract is published as declared; no cloud API was called and the bucket was not verified");
        }

        var credentials = new JsonObject();
        foreach (var key in CredentialKeys)
        {
            credentials[key] = context.Inputs.String(key);
        }

        var options = new JsonObject();
        foreach (var (k, v) in RepoOptions.PgBackRest(repo))
        {
            options[k] = v;
        }

        return ModuleOutcome.Ok(new JsonObject
        {
            ["backend"] = repo.Provider,
            ["bucket"] = repo.Bucket,
            ["path"] = RepoOptions.NormalizePath(repo.Path),
            ["region"] = repo.Region,
            ["endpoint"] = repo.Endpoint,
            ["port"] = repo.Port,
            ["ca_file"] = repo.CaFile,
            ["account"] = repo.Account,
            ["local_root"] = repo.LocalRoot,
            ["credential_env_keys"] = credentials,
            ["repo_uri"] = RepoOptions.Uri(repo),
            ["pgbackrest_options"] = options,
        });
    }

    private static RepoLocation Location(ModuleContext context) => new(
        context.Inputs.String("provider")!,
        context.Inputs.String("bucket")!,
        RepoOptions.NormalizePath(context.Inputs.String("path")),
        context.Inputs.String("region"),
        context.Inputs.String("endpoint"),
        context.Inputs.String("provider") == "local" ? Path.GetFullPath(LocalRoot(context)!) : null)
    {
        GcsKeyType = context.Inputs.String("gcs_key_type") ?? "service",
        Port = context.Inputs.Values.Int("port") is { } port && port > 0 ? port : null,
        CaFile = context.Inputs.String("ca_file"),
        IoTimeoutS = context.Inputs.Values.Int("io_timeout_s") is { } timeout && timeout > 0 ? timeout : null,
        UriStyle = context.Inputs.String("uri_style"),
        Account = context.Inputs.String("account"),
    };

    /// <summary>
    /// Provider local on a site reached over SSH: the repository is a directory every database host mounts
    /// at the same path (an NFS export), not a directory of the machine hyops runs on. Deploy creates it
    /// (owner local_owner, 0750) through the first member's executor; deploy and status then check it on
    /// every member, so a member that does not mount the share is named before a backup is configured.
    /// </summary>
    private static async Task EnsureOnHostsAsync(ModuleContext context, RepoLocation repo, InventoryHosts hosts, CancellationToken ct)
    {
        var owner = context.Inputs.String("local_owner") ?? "postgres";
        var bucketDir = repo.LocalRoot!.TrimEnd('/') + "/" + repo.Bucket;
        var repoDir = RepoOptions.LocalDirectory(repo);
        var members = hosts.Members.Keys.Order(StringComparer.Ordinal).ToList();
        if (context.Action == "deploy")
        {
            var first = members[0];
            var made = await hosts.Executor(first).RunAsync(new HostCommand(
                ["install", "-d", "-m", "0750", "-o", owner, "-g", owner, .. new[] { repo.LocalRoot!, bucketDir, repoDir }.Distinct(StringComparer.Ordinal)])
            { RunAs = HostCommand.Root, Timeout = TimeSpan.FromSeconds(60) }, ct);
            if (made.ExitCode != 0)
            {
                throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured, $"{first}: could not create the local repository directory '{repoDir}' for {owner}: {made.StdErr.Trim()}");
            }
        }

        var missing = new List<string>();
        foreach (var member in members)
        {
            // As the service user: pgBackRest runs as it, so the directory must be usable by it, not only by root.
            var seen = await hosts.Executor(member).RunAsync(new HostCommand(["test", "-d", repoDir, "-a", "-w", repoDir])
            { RunAs = hosts.Members[member].Host.ServiceUser, Timeout = TimeSpan.FromSeconds(30) }, ct);
            if (seen.ExitCode != 0)
            {
                missing.Add(member);
            }
        }

        context.Evidence.Check("local_repository_directory", missing.Count == 0, new JsonObject
        {
            ["path"] = repoDir, ["owner"] = owner, ["mode"] = "0750", ["on_hosts"] = new JsonArray([.. members.Select(m => (JsonNode)m)]),
            ["missing_on"] = new JsonArray([.. missing.Select(m => (JsonNode)m)]),
        }, missing.Count == 0 ? null : DiagnosticCatalog.SourceMisconfigured.Code);
        if (missing.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured,
                $"local repository directory '{repoDir}' is missing or not writable for the service user on {string.Join(", ", missing)}: every database host must mount the same repository path (an NFS export)");
        }
    }

    /// <summary>local_root, or `<local_provider_root>/buckets` from the published site inventory.</summary>
    private static string? LocalRoot(ModuleContext context) =>
        context.Inputs.String("local_root")
        ?? (SitePaths.LocalProviderRoot(SitePaths.Inventory(context)) is { } root ? Path.Combine(root, "buckets") : null);
}
