using System.CommandLine;
using System.Text.Json.Nodes;
using HybridOps.Core;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Lab;
using HybridOps.Modules.Platform.Network.PowerdnsAuthority;
using HybridOps.Modules.Platform.Onprem.Inventory;

namespace HybridOps.Cli.Commands;

/// <summary>
/// `hyops lab up|status|down`: the embedded lab, a set of namespaced hosts reached only over SSH (an
/// on-prem site of etcd + a 3-member Patroni cluster of PostgreSQL 15, a DR site, a managed-provider
/// host, a DNS host and optionally an object-store host). `up` publishes the site inventory as
/// platform/onprem/inventory state, so modules consume the lab exactly as they would a real site.
/// </summary>
public static class LabCommand
{
    /// <summary>Vault/env key of the lab PowerDNS API key; generated on first `up` like the lab passwords.</summary>
    public const string PdnsApiKeyName = "HYOPS_LAB_PDNS_API_KEY";

    /// <summary>Vault/env keys of the lab object stores' credentials (Azurite account key, s3rver key pair); generated on first `up --object-stores`.</summary>
    public const string AzureKeyName = "HYOPS_LAB_AZURE_KEY";
    public const string S3AccessKeyName = "HYOPS_LAB_S3_ACCESS_KEY";
    public const string S3SecretKeyName = "HYOPS_LAB_S3_SECRET_KEY";

    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var cmd = new Command("lab", "The embedded lab: real etcd + Patroni + PostgreSQL 15 on namespaced hosts reached only over SSH");
        var labDir = new Option<string?>("--lab-dir") { Description = "Where the lab's servers keep data and logs (default: /tmp/hyops-lab-<hash of root>)" };
        var purge = new Option<bool>("--purge") { Description = "down: also delete the lab's data directory" };
        // Hosts are the only kind of lab; --hosts is still accepted from scripts written when there was another.
        var hosts = new Option<bool>("--hosts") { Description = "The lab on namespaced hosts (the only kind; accepted for older scripts)", Hidden = true };
        var stores = new Option<bool>("--object-stores") { Description = "Also start the object-store site: Azurite (Azure Blob) and s3rver (S3) over TLS with a lab CA (see docs/repositories.md)" };
        var block = new Option<int>("--block") { Description = "The lab's /28 of 169.254.250.0/24, 1..14 (default: the block the lab dir already holds, else 1)", DefaultValueFactory = _ => 1 };

        var up = new Command("up", "Start the lab (or reconcile it) and wait until the cluster is healthy; publishes the site inventory") { labDir, hosts, block, stores };
        up.SetAction((parse, ct) =>
        {
            int? givenBlock = parse.GetResult(block) is { Implicit: false } ? parse.GetValue(block) : null;
            return HyopsCli.Guarded(invocation(parse), () => UpAsync(invocation(parse), parse.GetValue(labDir), givenBlock, parse.GetValue(stores), ct));
        });

        var status = new Command("status", "Show every lab host (up or down, its service) and Patroni's view of the site's cluster") { labDir };
        status.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => StatusAsync(invocation(parse), parse.GetValue(labDir), ct)));

        var down = new Command("down", "Stop every lab host; leaves no process, namespace, link or mount behind") { labDir, purge };
        down.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => DownAsync(invocation(parse), parse.GetValue(labDir), parse.GetValue(purge), ct)));

        cmd.Subcommands.Add(up);
        cmd.Subcommands.Add(status);
        cmd.Subcommands.Add(down);
        cmd.Subcommands.Add(LabLoadCommand.Build(invocation));
        foreach (var site in LabSiteCommand.Build(invocation))
        {
            cmd.Subcommands.Add(site);
        }

        return cmd;
    }

    /// <summary>Without --block, a lab dir that holds hosts keeps its block (a reconciling `up`), else block 1; a lab with the object-store host keeps it.</summary>
    private static Task<int> UpAsync(Invocation inv, string? labDirOption, int? block, bool objectStores, CancellationToken ct)
    {
        var session = new LabSession(inv);
        var dir = session.Locate(labDirOption);
        RefuseRetiredLab(dir);

        // A reconciling up keeps what the lab has: its block and, once added, its object-store host.
        var recorded = HybridOps.Lab.Site.SiteLabState.Load(dir);
        var stores = objectStores || recorded?.WithObjectStore == true;
        return SiteLabCommands.UpAsync(inv, session, dir, block ?? recorded?.Block ?? 1, stores ? ObjectStoreKeys(inv) : null, ct);
    }

    /// <summary>
    /// A lab dir of the loopback lab earlier releases built (lab.json, no site.json) is refused before
    /// anything is touched: this release neither reconciles nor stops it.
    /// </summary>
    internal static void RefuseRetiredLab(string dir)
    {
        if (!SiteLabCommands.IsHostsLab(dir) && File.Exists(Path.Combine(dir, "lab.json")))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid,
                $"lab dir {dir} holds a loopback lab of an earlier hyops release, which this release no longer runs: "
                + "take it down with that release (`hyops lab down --purge`), or give another --lab-dir");
        }
    }

    /// <summary>The org/*/object-repo inputs that point at one lab object store (key NAMES only).</summary>
    internal static JsonObject ObjectRepoInputs(LabObjectStoreSite store) => store.Backend == "azure"
        ? new JsonObject
        {
            ["provider"] = "azure", ["bucket"] = store.Bucket, ["endpoint"] = store.Host, ["port"] = store.Port, ["ca_file"] = store.CaFile,
            ["uri_style"] = "path", ["account"] = store.Account, ["azure_key_env"] = AzureKeyName,
        }
        : new JsonObject
        {
            ["provider"] = "s3", ["bucket"] = store.Bucket, ["endpoint"] = store.Host, ["port"] = store.Port, ["ca_file"] = store.CaFile,
            ["uri_style"] = "path", ["region"] = "us-east-1", ["s3_access_key_env"] = S3AccessKeyName, ["s3_secret_key_env"] = S3SecretKeyName,
        };

    /// <summary>The lab object stores' keys from env or vault; generated into the vault on first use.</summary>
    internal static LabObjectStoreKeys ObjectStoreKeys(Invocation inv) => new(
        LabSecret(inv, AzureKeyName, () => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))),
        LabSecret(inv, S3AccessKeyName, () => "HYOPS" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))),
        LabSecret(inv, S3SecretKeyName, () => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(30))));

    /// <summary>The lab PowerDNS API key from env or vault; generated and stored in the vault on first use.</summary>
    internal static string PdnsApiKey(Invocation inv) =>
        LabSecret(inv, PdnsApiKeyName, () => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));

    /// <summary>A lab secret from env or vault; generated by <paramref name="generate"/> and stored in the vault on first use.</summary>
    private static string LabSecret(Invocation inv, string name, Func<string> generate)
    {
        if (inv.Runtime.Secrets.TryResolve(name, out var key))
        {
            return key;
        }

        var vault = inv.OpenVault();
        if (vault is null)
        {
            Core.Secrets.VaultPasswordSource.CreatePasswordFile(inv.Root);
            vault = inv.OpenVault() ?? throw HyopsException.From(DiagnosticCatalog.VaultUnavailable, "could not open the vault after creating its password file");
        }

        if (!vault.TryGet(name, out var stored))
        {
            stored = generate();
            vault.Set(name, stored);
            vault.Save();
        }

        inv.Redactor.Register(stored);
        return stored;
    }

    private static Task<int> StatusAsync(Invocation inv, string? labDirOption, CancellationToken ct) =>
        SiteLabCommands.StatusAsync(inv, LabSiteCommand.LabDir(inv, labDirOption), ct);

    private static async Task<int> DownAsync(Invocation inv, string? labDirOption, bool purge, CancellationToken ct)
    {
        var session = new LabSession(inv);
        var dir = session.Locate(labDirOption);
        RefuseRetiredLab(dir);
        if (!SiteLabCommands.IsHostsLab(dir))
        {
            // No site.json: `up` never got as far as its first host there (it records the lab first).
            inv.Renderer.Result(new JsonObject { ["status"] = "down", ["lab_dir"] = dir, ["found"] = false },
                w => w.WriteLine($"no lab in {dir}: nothing to stop"));
            return 0;
        }

        return await SiteLabCommands.DownAsync(inv, dir, purge, ct);
    }
}
