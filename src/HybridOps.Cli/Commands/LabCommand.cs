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
/// `hyops lab up|status|down`: the embedded lab, a real on-prem site on loopback (etcd + a 3-member
/// Patroni cluster of PostgreSQL 15). `up` publishes the site inventory as platform/onprem/inventory
/// state, so modules consume the lab exactly as they would a real site.
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
        var cmd = new Command("lab", "The embedded lab: real etcd + Patroni + PostgreSQL 15 on namespaced hosts reached over SSH (or, with --loopback, as processes of this machine)");
        var labDir = new Option<string?>("--lab-dir") { Description = "Where the lab's servers keep data and logs (default: /tmp/hyops-lab-<hash of root>)" };
        var prefix = new Option<string?>("--address-prefix") { Description = "With --loopback: first three octets of the on-prem site's loopback addresses (default 127.0.1); implies --loopback" };
        var purge = new Option<bool>("--purge") { Description = "down: also delete the lab's data directory" };
        var hosts = new Option<bool>("--hosts") { Description = "Build the lab as namespaced hosts, each with its own sshd, reached only over SSH: the default for a new lab (see docs/lab-hosts.md)" };
        var loopback = new Option<bool>("--loopback") { Description = "Build the lab as processes of this machine on 127.0.x.y instead of hosts (quicker to read, but nothing goes over SSH)" };
        var stores = new Option<bool>("--object-stores") { Description = "Also start the object-store site: Azurite (Azure Blob) and s3rver (S3) over TLS with a lab CA (see docs/repositories.md)" };
        var block = new Option<int>("--block") { Description = "With --hosts: the lab's /28 of 169.254.250.0/24, 1..14 (default 1)", DefaultValueFactory = _ => 1 };

        var up = new Command("up", "Start the lab (or reconcile it) and wait until the cluster is healthy; publishes the site inventory") { labDir, prefix, hosts, loopback, block, stores };
        up.SetAction((parse, ct) =>
        {
            int? givenBlock = parse.GetResult(block) is { Implicit: false } ? parse.GetValue(block) : null;
            return HyopsCli.Guarded(invocation(parse), () =>
                OnHosts(invocation(parse), parse.GetValue(labDir), parse.GetValue(hosts), parse.GetValue(loopback), parse.GetValue(prefix), givenBlock is not null)
                    ? UpHostsAsync(invocation(parse), parse.GetValue(labDir), givenBlock, parse.GetValue(stores), ct)
                    : UpAsync(invocation(parse), parse.GetValue(labDir), parse.GetValue(prefix), parse.GetValue(stores), ct));
        });

        var status = new Command("status", "Show every lab process (by pid) and Patroni's view of the cluster") { labDir };
        status.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => StatusAsync(invocation(parse), parse.GetValue(labDir), ct)));

        var down = new Command("down", "Stop everything the lab started, by pid; leaves no process behind") { labDir, purge };
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

    /// <summary>
    /// Which kind of lab `up` builds: hosts unless --loopback or --address-prefix asks for the loopback
    /// lab. A lab dir that already holds a lab keeps its kind; asking for the other kind there is refused
    /// before anything is touched (the lab in it would be left half-managed).
    /// </summary>
    internal static bool OnHosts(Invocation inv, string? labDirOption, bool hosts, bool loopback, string? prefix, bool blockGiven)
    {
        var wantLoopback = loopback || prefix is not null;
        if (hosts && wantLoopback)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "--hosts and --loopback/--address-prefix exclude each other: pick one kind of lab");
        }

        if (wantLoopback && blockGiven)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "--block is for a lab on hosts; the loopback lab takes --address-prefix");
        }

        var (dir, _) = new LabSession(inv).Locate(labDirOption, null);
        var existing = SiteLabCommands.IsHostsLab(dir) ? "hosts" : File.Exists(new LabLayout(dir).StateFile) ? "loopback" : null;
        var wanted = hosts || blockGiven ? "hosts" : wantLoopback ? "loopback" : existing ?? "hosts";
        if (existing is not null && existing != wanted)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid,
                $"lab dir {dir} already holds a {existing} lab, and this asks for a {wanted} lab: run `hyops lab down --purge` first, or give another --lab-dir");
        }

        return wanted == "hosts";
    }

    /// <summary>Hosts lab: without --block, a lab dir that holds hosts keeps its block (a reconciling `up`), else block 1; a lab with the object-store host keeps it.</summary>
    private static Task<int> UpHostsAsync(Invocation inv, string? labDirOption, int? block, bool objectStores, CancellationToken ct)
    {
        var session = new LabSession(inv);
        var (dir, _) = session.Locate(labDirOption, null);
        // A reconciling up keeps what the lab has: its block and, once added, its object-store host.
        var recorded = HybridOps.Lab.Site.SiteLabState.Load(dir);
        var stores = objectStores || recorded?.WithObjectStore == true;
        return SiteLabCommands.UpAsync(inv, session, dir, block ?? recorded?.Block ?? 1, stores ? ObjectStoreKeys(inv) : null, ct);
    }

    private static async Task<int> UpAsync(Invocation inv, string? labDirOption, string? prefixOption, bool objectStores, CancellationToken ct)
    {
        var session = new LabSession(inv);
        var (dir, prefix) = session.Locate(labDirOption, prefixOption);
        var topology = new LabTopology(AddressPrefix: prefix);
        try
        {
            topology.Validate();
        }
        catch (ArgumentException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, ex.Message);
        }

        var runtime = inv.Runtime;
        var (su, repl) = session.Passwords();
        var pdnsKey = PdnsApiKey(inv);
        session.Record(dir, prefix);
        var started = inv.Time.GetTimestamp();
        LabInventory inventory;
        try
        {
            var options = new LabOptions(dir, su, repl) { Topology = topology, PdnsApiKey = pdnsKey, ObjectStores = objectStores ? ObjectStoreKeys(inv) : null };
            if (inv.Environment.GetValueOrDefault("HYOPS_LAB_NODE_MODULES") is { Length: > 0 } modules)
            {
                options = options with { NodeModules = modules };
            }

            inventory = await new LabController(time: inv.Time).UpAsync(options, runtime.Progress, ct);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
        {
            throw HyopsException.From(DiagnosticCatalog.LabFailure, ex.Message);
        }

        var upSeconds = inv.Time.GetElapsedTime(started).TotalSeconds;
        var inputs = inventory.ToJson();
        inputs["superuser_password_env"] = LabSession.SuperuserKey;
        inputs["replication_password_env"] = LabSession.ReplicationKey;
        var published = await new ModuleRunner(runtime).RunAsync(new ModuleRequest
        {
            ModuleRef = InventoryHandler.Ref,
            Action = "deploy",
            StepInputs = inputs,
            ApplyEnvironmentOverrides = false,
        }, ct);

        ModuleRunResult? authority = null;
        if (inventory.Dns is { } dns)
        {
            authority = await new ModuleRunner(runtime).RunAsync(new ModuleRequest
            {
                ModuleRef = PowerdnsAuthorityHandler.Ref,
                Action = "deploy",
                StepInputs = new JsonObject
                {
                    ["api_url"] = dns.ApiUrl,
                    ["server_id"] = dns.ServerId,
                    ["zone"] = dns.Zone,
                    ["dns_server_host"] = dns.DnsHost,
                    ["dns_server_port"] = dns.DnsPort,
                    ["api_key_env"] = PdnsApiKeyName,
                },
                ApplyEnvironmentOverrides = false,
            }, ct);
        }

        var repos = new JsonObject();
        foreach (var store in inventory.ObjectStores)
        {
            repos[store.Backend] = ObjectRepoInputs(store);
        }

        var doc = new JsonObject
        {
            ["object_stores"] = repos,
            ["dns_authority_state"] = authority?.StatePath,
            ["dns_authority"] = authority?.Outputs.DeepClone(),
            ["status"] = "up",
            ["lab_dir"] = dir,
            ["up_seconds"] = Math.Round(upSeconds, 2),
            ["inventory_state"] = published.StatePath,
            ["inventory"] = published.Outputs.DeepClone(),
        };
        inv.Renderer.Result(doc, w =>
        {
            w.WriteLine($"lab up in {upSeconds:F1}s: cluster {inventory.ClusterName}, {inventory.Members.Count} members, lab dir {dir}");
            foreach (var m in inventory.Members)
            {
                w.WriteLine($"  {m.Name}  postgres {m.Host}:{m.PostgresPort}  patroni {m.ApiUrl}");
            }

            w.WriteLine($"  inventory published: {published.StatePath}");
            if (inventory.Dns is { } dns)
            {
                w.WriteLine($"  dns      pdns {dns.DnsHost}:{dns.DnsPort}  api {dns.ApiUrl}  zone {dns.Zone}  ({dns.ServiceRecord} -> on-prem leader)");
                w.WriteLine($"  dns authority published: {authority?.StatePath}");
            }

            foreach (var store in inventory.ObjectStores)
            {
                w.WriteLine($"  objstore {store.Backend,-5} https://{store.Host}:{store.Port}  bucket {store.Bucket}  ca {store.CaFile}");
            }
        });
        return 0;
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

    private static async Task<int> StatusAsync(Invocation inv, string? labDirOption, CancellationToken ct)
    {
        var session = new LabSession(inv);
        if (!session.Recorded && labDirOption is null)
        {
            throw HyopsException.From(DiagnosticCatalog.LabNotRunning, $"no lab recorded for runtime root {inv.Root}");
        }

        var (dir, _) = session.Locate(labDirOption, null);
        if (SiteLabCommands.IsHostsLab(dir))
        {
            return await SiteLabCommands.StatusAsync(inv, dir, ct);
        }

        var status = await new LabController(time: inv.Time).StatusAsync(dir, ct);
        var processes = new JsonArray(status.Processes.Select(p => (JsonNode?)new JsonObject
        {
            ["name"] = p.Name, ["kind"] = p.Kind, ["pid"] = p.Pid, ["alive"] = p.Alive,
        }).ToArray());
        var members = new JsonArray((status.Cluster?.Members ?? []).Select(m => (JsonNode?)new JsonObject
        {
            ["name"] = m.Name, ["host"] = m.Host, ["role"] = m.Role, ["state"] = m.State, ["timeline"] = m.Timeline, ["lag"] = m.LagBytes, ["streaming"] = m.Streaming,
        }).ToArray());
        var healthy = status.AllProcessesAlive && status.Cluster is not null;
        var exit = status.Processes.Count == 0 ? ExitCode.ConnectivityFailure : healthy ? ExitCode.Success : ExitCode.ConnectivityFailure;
        inv.Renderer.Result(new JsonObject
        {
            ["lab_dir"] = dir,
            ["recorded_status"] = status.RecordedStatus,
            ["site_status"] = status.SiteStatus ?? "up",
            ["cluster_source"] = status.ClusterSource ?? "lab",
            ["healthy"] = healthy,
            ["processes"] = processes,
            ["cluster"] = members,
            ["cluster_error"] = status.ClusterError,
            ["exit_code"] = (int)exit,
        }, w =>
        {
            w.WriteLine($"lab {dir}: {(healthy ? "healthy" : "NOT healthy")} (recorded: {status.RecordedStatus}; on-prem site: {status.SiteStatus ?? "up"}; cluster: {status.ClusterSource ?? "the lab's own members"})");
            foreach (var p in status.Processes)
            {
                w.WriteLine($"  {p.Kind,-8} {p.Name,-5} pid {p.Pid?.ToString() ?? "-",-8} {(p.Alive ? "alive" : "DEAD")}");
            }

            foreach (var m in status.Cluster?.Members ?? [])
            {
                w.WriteLine($"  patroni: {m.Name} {m.Role} {m.State} timeline {m.Timeline} lag {m.LagBytes?.ToString() ?? "unknown"}");
            }

            if (status.ClusterError is not null)
            {
                w.WriteLine($"  patroni: {status.ClusterError}");
            }
        });
        return (int)exit;
    }

    private static async Task<int> DownAsync(Invocation inv, string? labDirOption, bool purge, CancellationToken ct)
    {
        var session = new LabSession(inv);
        var (dir, _) = session.Locate(labDirOption, null);
        if (SiteLabCommands.IsHostsLab(dir))
        {
            return await SiteLabCommands.DownAsync(inv, dir, purge, ct);
        }

        var started = inv.Time.GetTimestamp();
        await new LabController(time: inv.Time).DownAsync(dir, purge, inv.Runtime.Progress, ct);
        var after = Directory.Exists(dir) ? await new LabController(time: inv.Time).StatusAsync(dir, ct) : null;
        var left = after?.LivePids ?? [];
        var seconds = inv.Time.GetElapsedTime(started).TotalSeconds;
        inv.Renderer.Result(new JsonObject
        {
            ["status"] = left.Count == 0 ? "down" : "processes_left",
            ["lab_dir"] = dir,
            ["down_seconds"] = Math.Round(seconds, 2),
            ["live_pids"] = new JsonArray(left.Select(p => (JsonNode?)p).ToArray()),
        }, w => w.WriteLine(left.Count == 0 ? $"lab down in {seconds:F1}s: no lab process left" : $"lab down: processes still alive: {string.Join(", ", left)}"));
        return left.Count == 0 ? 0 : (int)ExitCode.InternalError;
    }
}
