using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Lab.Site;

/// <summary>
/// The embedded lab as a set of real hosts: namespaced Linux hosts with their own sshd (see
/// <see cref="LabHostSet"/>), provisioned and operated ONLY over SSH through the host executor and
/// the host's service manager, exactly as hyops treats an operator's site. `up` publishes the site
/// inventory with ssh access for every member; no path of the lab dir appears in it.
/// </summary>
public sealed class SiteLab(IProcessRunner? runner = null, TimeProvider? time = null)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Where a failback rebuild puts its member dirs on the on-prem hosts (published as the inventory's rebuild_root).</summary>
    public const string RebuildRoot = "/var/lib/postgresql/hyops-rebuild";
    private readonly IProcessRunner _runner = runner ?? new LocalProcessRunner(time);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<JsonObject> UpAsync(SiteLabOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var plan = new SiteLabPlan(options.Block, options.MemberCount, options.PdnsApiKey is not null, options.DrMemberCount, options.ObjectStores is not null);
        var t0 = _time.GetTimestamp();
        string Since() => _time.GetElapsedTime(t0).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
        using var deadline = new CancellationTokenSource(options.StartTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var token = linked.Token;

        var state = new SiteLabState
        {
            Block = options.Block, ClusterName = options.ClusterName, MemberCount = options.MemberCount,
            WithDns = plan.WithDns, DrMemberCount = plan.DrMemberCount, WithObjectStore = plan.WithObjectStore, Status = "starting", StartedAt = _time.GetUtcNow(),
        };
        state.Save(options.LabDir);
        var infos = await new LabHostSet(_runner, _time).UpAsync(options.LabDir, options.Block, plan.HostNames, token);
        progress?.Report($"{infos.Count} hosts answer ssh in {Since()}");

        try
        {
            await using var hosts = new SiteLabHosts(infos, _runner);
            await Task.WhenAll(plan.HostNames.Select(h => hosts.RootAsync(h, token, "install", "-d", "-m", "0755", "/var/log/hyops")));

            await hosts.Services(SiteLabPlan.EtcdHost).StartAsync(SiteLabServices.Etcd(plan, options.ClusterName), token);
            if (plan.DrMemberCount > 0)
            {
                // The DR site's own DCS, on its own host: a restore there needs nothing of the on-prem site. It serves
                // https with a certificate of a CA made for it (the CA on this machine: what dr-hosts' etcd_ca_file names).
                await PutDrEtcdTlsAsync(hosts, plan, options, token);
                await hosts.Services(SiteLabPlan.DrEtcdHost).StartAsync(SiteLabServices.Etcd(plan, SiteLabPlan.DrEtcdHost, SiteLabPlan.DrSite, "etcd (DCS of the DR site)"), token);
            }

            await WaitAsync(() => LabHttp.EtcdHealthyAsync(plan.EtcdClientUrl, token), token);
            progress?.Report($"etcd healthy on {plan.AddressOf(SiteLabPlan.EtcdHost)} in {Since()}");

            var members = plan.Members;
            await Task.WhenAll(members.Select(m => WritePatroniFilesAsync(hosts, plan, options, m, token)));
            var first = members[0];
            if (!await HasDataAsync(hosts, first.Name, token))
            {
                await hosts.Services(first.Name).StartAsync(SiteLabServices.Patroni(), token);
                await WaitAsync(async () =>
                    (await LabHttp.TryGetClusterAsync([first], token))?.Leader is { Name: var n, IsRunning: true } && n == first.Name, token);
                progress?.Report($"{first.Name} leader in {Since()}");
            }

            await Task.WhenAll(members.Select(m => hosts.Services(m.Name).StartAsync(SiteLabServices.Patroni(), token)));
            await WaitAsync(async () =>
                (await LabHttp.TryGetClusterAsync(members, token))?.IsHealthy(members.Count) == true
                && (await Task.WhenAll(members.Select(m => LabHttp.PatroniAnswersAsync(m, token)))).All(ok => ok), token);
            progress?.Report($"{members.Count} members healthy in {Since()}");

            if (options.PdnsApiKey is { } apiKey)
            {
                await StartDnsAsync(hosts, plan, apiKey, token);
                var leader = (await LabHttp.TryGetClusterAsync(members, token))?.Leader?.Host ?? first.Host;
                await LabDns.EnsureZoneAsync(plan.DnsApiUrl, plan.AddressOf(SiteLabPlan.DnsHost), SiteLabPlan.DnsPort, apiKey, leader,
                    (_, condition) => WaitAsync(condition, token), token);
                progress?.Report($"pdns serving {LabTopology.DnsZone} on {plan.AddressOf(SiteLabPlan.DnsHost)} in {Since()}");
            }

            if (plan.WithObjectStore)
            {
                await SiteLabObjectStores.StartAsync(hosts, plan, options, _runner, _time, condition => WaitAsync(condition, token), token);
                progress?.Report($"object stores serving TLS on {plan.AddressOf(SiteLabPlan.ObjectStoreHost)} (azurite :{LabTopology.AzurePort}, s3rver :{LabTopology.S3Port}), lab CA on every host in {Since()}");
            }

            if (plan.DrMemberCount > 0)
            {
                await WaitAsync(() => LabHttp.EtcdHealthyAsync(plan.EtcdClientUrlOf(SiteLabPlan.DrEtcdHost), SiteLabPlan.DrEtcdCaFile(options.LabDir), token), token);
                progress?.Report($"DR site: etcd healthy on {plan.AddressOf(SiteLabPlan.DrEtcdHost)}, {plan.DrMemberCount} empty database hosts in {Since()}");
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"lab up did not become healthy within {options.StartTimeout}; hosts left running for diagnosis "
                + $"(each host's /var/log/hyops/*.log, reachable with ssh -F {new LabHostPaths(options.LabDir).SshConfigFile} <host>); run `lab down` to clean up.");
        }

        // A reconciling up starts every host and service again: the on-prem site is no longer failed.
        (state with { Status = "running", SiteStatus = null }).Save(options.LabDir);
        progress?.Report($"lab up in {Since()}");
        return Inventory(options.LabDir, plan, options.ClusterName);
    }

    /// <summary>The DR etcd's CA (made here once) and its server certificate and key on the dr-etcd host.</summary>
    private async Task PutDrEtcdTlsAsync(SiteLabHosts hosts, SiteLabPlan plan, SiteLabOptions options, CancellationToken ct)
    {
        var tls = Path.GetDirectoryName(SiteLabPlan.DrEtcdCaFile(options.LabDir))!;
        await new LabObjectStoreTls(_runner).PrepareTlsAsync(options.OpensslExecutable, tls, [("dr-etcd", plan.AddressOf(SiteLabPlan.DrEtcdHost))], ct);
        const string user = "postgres";
        var secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await hosts.RootAsync(SiteLabPlan.DrEtcdHost, ct, "install", "-d", "-o", "root", "-g", user, "-m", "0750", SiteLabServices.EtcdTlsDir);
        var host = hosts[SiteLabPlan.DrEtcdHost];
        await host.PutFileAsync(SiteLabServices.EtcdTlsDir + "/server.crt", await File.ReadAllBytesAsync(Path.Combine(tls, "dr-etcd.crt"), ct), user, user, secret | UnixFileMode.GroupRead, ct);
        await host.PutFileAsync(SiteLabServices.EtcdTlsDir + "/server.key", await File.ReadAllBytesAsync(Path.Combine(tls, "dr-etcd.key"), ct), user, user, secret, ct);
    }

    /// <summary>Stops the services over ssh, then every host, link, namespace and the bridge; checks nothing is left.</summary>
    public async Task<LabCleanReport> DownAsync(string labDir, IProgress<string>? progress, CancellationToken ct)
    {
        if (SiteLabState.Load(labDir) is { } state)
        {
            try
            {
                var running = LabHostSet.Hosts(labDir).Where(h => LabHostSet.ProcessesOf(labDir, h.Name).Count > 0).ToList();
                await using var hosts = new SiteLabHosts(running, _runner);
                await Task.WhenAll(running.Where(h => state.Plan.MemberNames.Contains(h.Name))
                    .Select(h => hosts.Services(h.Name).StopAsync("patroni", TimeSpan.FromSeconds(30), ct)));
                progress?.Report("patroni stopped on every member");
                if (state.WithObjectStore && running.Any(h => h.Name == SiteLabPlan.ObjectStoreHost))
                {
                    await SiteLabObjectStores.StopAsync(hosts, ct);
                    progress?.Report("azurite and s3rver stopped on the objstore host");
                }
            }
            catch (HostException ex)
            {
                // An unreachable host (power cut, partition) is stopped by the host teardown below.
                progress?.Report($"a service could not be stopped over ssh ({ex.Message}); the host teardown ends it");
            }
        }

        var report = await new LabHostSet(_runner, _time).DownAsync(labDir, ct);
        if (SiteLabState.Load(labDir) is { } s)
        {
            (s with { Status = "down" }).Save(labDir);
        }

        return report;
    }

    /// <summary>
    /// What is running, asked the way an operator would: each host's init alive, each service's status from
    /// the host's service manager over ssh, and Patroni's view of the cluster now serving the site.
    /// </summary>
    public async Task<(bool Healthy, JsonObject Report)> StatusAsync(string labDir, CancellationToken ct)
    {
        var state = SiteLabState.Load(labDir) ?? throw new InvalidOperationException($"{labDir} holds no lab on hosts (no {SiteLabState.FileName})");
        var plan = state.Plan;
        var infos = LabHostSet.Hosts(labDir);
        var running = infos.Where(h => LabHostSet.ProcessesOf(labDir, h.Name).Count > 0).ToList();
        var hostsJson = new JsonArray();
        var healthy = running.Count == plan.HostNames.Count;
        await using (var hosts = new SiteLabHosts(running, _runner))
        {
            foreach (var info in infos)
            {
                var entry = new JsonObject { ["name"] = info.Name, ["address"] = info.Address, ["running"] = running.Contains(info) };
                var service = info.Name is SiteLabPlan.EtcdHost or SiteLabPlan.DrEtcdHost ? "etcd" : info.Name == SiteLabPlan.DnsHost ? "pdns"
                    : info.Name == SiteLabPlan.ObjectStoreHost ? SiteLabObjectStores.S3Service
                    : plan.MemberNames.Contains(info.Name) ? "patroni" : null;
                if (running.Contains(info) && service is not null)
                {
                    try
                    {
                        var st = await hosts.Services(info.Name).StatusAsync(service, ct);
                        if (!st.Active && service == "patroni")
                        {
                            // After a failback the site's cluster is the one hyops rebuilt: its Patroni runs as patroni-<cluster>.
                            st = await hosts.Services(info.Name).StatusAsync($"patroni-{state.ClusterName}", ct) is { Active: true } rebuilt ? rebuilt : st;
                        }

                        entry["service"] = new JsonObject { ["name"] = service, ["active"] = st.Active, ["pid"] = st.MainPid, ["detail"] = st.Detail };
                        healthy &= st.Active;
                    }
                    catch (HostException ex)
                    {
                        entry["service"] = new JsonObject { ["name"] = service, ["active"] = false, ["detail"] = ex.Message };
                        healthy = false;
                    }
                }

                hostsJson.Add((JsonNode)entry);
            }
        }

        var view = await LabHttp.TryGetClusterAsync(plan.Members, ct);
        healthy &= view?.IsHealthy(plan.MemberCount) == true;
        var members = new JsonArray([.. (view?.Members ?? []).Select(m => (JsonNode)new JsonObject
        {
            ["name"] = m.Name, ["host"] = m.Host, ["role"] = m.Role, ["state"] = m.State, ["timeline"] = m.Timeline, ["lag"] = m.LagBytes, ["streaming"] = m.Streaming,
        })]);
        return (healthy, new JsonObject
        {
            ["kind"] = "hosts", ["block"] = state.Block, ["recorded_status"] = state.Status, ["site_status"] = state.SiteStatus ?? "up", ["healthy"] = healthy,
            ["hosts"] = hostsJson, ["cluster"] = members, ["cluster_error"] = view is null ? "no Patroni member answered" : null,
        });
    }

    /// <summary>The hosts of a lab site: `onprem` (etcd + members), `dns`, `dr`, `managed`, `objstore`, or `hyops` (this machine, the control host).</summary>
    public static IReadOnlyList<string> SiteHosts(SiteLabPlan plan, string site) => site switch
    {
        "onprem" => [SiteLabPlan.EtcdHost, .. plan.MemberNames],
        "dns" when plan.WithDns => [SiteLabPlan.DnsHost],
        "dr" when plan.DrMemberCount > 0 => plan.DrHostNames,
        "managed" when plan.DrMemberCount > 0 => plan.ManagedHostNames,
        "objstore" when plan.WithObjectStore => [SiteLabPlan.ObjectStoreHost],
        "hyops" => [LabHostSet.HyopsSide],
        _ => throw new ArgumentException($"no lab site '{site}' (sites: onprem{(plan.WithDns ? ", dns" : "")}{(plan.DrMemberCount > 0 ? ", dr, managed" : "")}{(plan.WithObjectStore ? ", objstore" : "")}, hyops)", nameof(site)),
    };

    /// <summary>Power cut of the on-prem site: SIGKILL of every host's pid 1, so every process of those hosts dies at once.</summary>
    public async Task<IReadOnlyList<string>> FailSiteAsync(string labDir, CancellationToken ct)
    {
        var state = RequireState(labDir);
        var hosts = SiteHosts(state.Plan, "onprem");
        await new LabHostSet(_runner, _time).PowerCutAsync(labDir, [.. hosts], ct);
        (state with { SiteStatus = "failed" }).Save(labDir);
        return hosts;
    }

    /// <summary>The on-prem hosts come back (same disks): sshd and etcd only, so failback rebuilds the cluster deliberately.</summary>
    public async Task<IReadOnlyList<string>> RepairSiteAsync(string labDir, CancellationToken ct)
    {
        var state = RequireState(labDir);
        if (state.SiteStatus != "failed")
        {
            throw new InvalidOperationException($"The on-prem site of {labDir} is not failed (site status: {state.SiteStatus ?? "up"}); nothing to repair.");
        }

        var plan = state.Plan;
        var infos = await new LabHostSet(_runner, _time).StartAsync(labDir, SiteHosts(plan, "onprem"), ct);
        await using var hosts = new SiteLabHosts(infos, _runner);
        await Task.WhenAll(infos.Select(h => hosts.RootAsync(h.Name, ct, "install", "-d", "-m", "0755", "/var/log/hyops")));
        await hosts.Services(SiteLabPlan.EtcdHost).StartAsync(SiteLabServices.Etcd(plan, state.ClusterName), ct);
        (state with { SiteStatus = "repaired" }).Save(labDir);
        return [.. infos.Select(h => h.Name)];
    }

    /// <summary>Cuts the network between two sites (both directions); hyops keeps reaching both unless one side is `hyops`.</summary>
    public Task PartitionAsync(string labDir, string siteA, string siteB, CancellationToken ct)
    {
        var plan = RequireState(labDir).Plan;
        return new LabHostSet(_runner, _time).PartitionAsync(labDir, SiteHosts(plan, siteA), SiteHosts(plan, siteB), ct);
    }

    public Task HealAsync(string labDir, CancellationToken ct) => new LabHostSet(_runner, _time).HealAsync(labDir, ct);

    private static SiteLabState RequireState(string labDir) =>
        SiteLabState.Load(labDir) ?? throw new InvalidOperationException($"{labDir} holds no lab on hosts (no {SiteLabState.FileName})");

    /// <summary>The site inventory (onprem-inventory/v1 inputs) of a lab recorded in <paramref name="labDir"/>.</summary>
    public static JsonObject Inventory(string labDir, SiteLabPlan plan, string clusterName)
    {
        var infos = LabHostSet.Hosts(labDir).ToDictionary(h => h.Name, StringComparer.Ordinal);
        var members = new JsonArray([.. plan.Members.Select(m => (JsonNode)MemberJson(infos[m.Name], m))]);
        return new JsonObject
        {
            ["site"] = "onprem",
            ["cluster_name"] = clusterName,
            ["etcd_endpoints"] = new JsonArray(plan.EtcdClientUrl),
            ["members"] = members,
            ["superuser"] = SiteLabOptions.SuperuserName,
            ["replication_user"] = SiteLabOptions.ReplicationUserName,
            // A failback rebuild goes next to the old cluster's data, never over it; pg_hba admits the site network.
            ["rebuild_root"] = RebuildRoot,
            ["client_networks"] = new JsonArray(plan.Network),
        };
    }

    /// <summary>
    /// The DR site as an operator declares its cloud VMs to org/gcp/dr-hosts (provider hosts): the
    /// database hosts with their ssh access, the site's etcd, and the network pg_hba admits. Null when
    /// the lab has no DR site.
    /// </summary>
    public static JsonObject? DrSiteInputs(string labDir, SiteLabPlan plan)
    {
        if (plan.DrMemberCount == 0)
        {
            return null;
        }

        var infos = LabHostSet.Hosts(labDir).ToDictionary(h => h.Name, StringComparer.Ordinal);
        return new JsonObject
        {
            ["provider"] = "hosts",
            ["site"] = SiteLabPlan.DrSite,
            ["hosts"] = new JsonArray([.. plan.DrMembers.Select(m => (JsonNode)MemberJson(infos[m.Name], m))]),
            ["etcd_endpoints"] = new JsonArray(plan.EtcdClientUrlOf(SiteLabPlan.DrEtcdHost)),
            ["etcd_ca_file"] = SiteLabPlan.DrEtcdCaFile(labDir),
            ["client_networks"] = new JsonArray(plan.Network),
        };
    }

    /// <summary>
    /// The managed provider's site as inputs of org/gcp/cloudsql-postgresql (provider local on its host,
    /// reached over ssh), with the one address the DR source's consumer allowlist admits. Null without a DR site.
    /// </summary>
    public static JsonObject? ManagedSiteInputs(string labDir, SiteLabPlan plan)
    {
        if (plan.DrMemberCount == 0)
        {
            return null;
        }

        var info = LabHostSet.Hosts(labDir).Single(h => h.Name == SiteLabPlan.ManagedHost);
        var entry = MemberJson(info, new LabMember(SiteLabPlan.ManagedHost, plan.AddressOf(SiteLabPlan.ManagedHost), SiteLabPlan.PostgresPort, SiteLabPlan.RestApiPort));
        entry.Remove("api_url");
        entry.Remove("pg_port");
        return new JsonObject
        {
            ["provider"] = "local",
            ["provider_host"] = entry,
            ["consumer_cidrs"] = new JsonArray($"{plan.AddressOf(SiteLabPlan.ManagedHost)}/32"),
        };
    }

    /// <summary>The lab's object stores as the hosts reach them (ca_file = the lab CA every host holds); empty without the objstore host.</summary>
    public static IReadOnlyList<LabObjectStoreSite> ObjectStores(SiteLabPlan plan) => plan.WithObjectStore ? SiteLabObjectStores.Sites(plan) : [];

    /// <summary>One database host in the inventory's member shape: address, ports, ssh access, become, service manager, Debian's layout.</summary>
    private static JsonObject MemberJson(LabHostInfo info, LabMember m) => new()
    {
        ["name"] = m.Name,
        ["host"] = m.Host,
        ["pg_port"] = m.PostgresPort,
        ["api_url"] = m.ApiUrl,
        ["ssh"] = new JsonObject
        {
            ["transport"] = "ssh", ["user"] = info.SshUser, ["port"] = info.SshPort,
            ["identity_file"] = info.IdentityFile, ["known_hosts_file"] = info.KnownHostsFile,
        },
        ["become"] = info.Become,
        ["service_user"] = info.ServiceUser,
        ["service_manager"] = info.ServiceManager,
        ["postgres"] = new JsonObject
        {
            ["bin_dir"] = SiteLabServices.BinDir, ["data_dir"] = SiteLabServices.DataDir, ["socket_dir"] = SiteLabServices.SocketDir,
            ["config_dir"] = "/etc/patroni", ["pgbackrest_config"] = "/etc/pgbackrest/pgbackrest.conf",
        },
    };

    private static async Task WritePatroniFilesAsync(SiteLabHosts hosts, SiteLabPlan plan, SiteLabOptions options, LabMember m, CancellationToken ct)
    {
        var host = hosts[m.Name];
        await hosts.RootAsync(m.Name, ct, "install", "-d", "-o", "root", "-g", "postgres", "-m", "0750", "/etc/patroni");
        await host.PutFileAsync(SiteLabServices.PatroniConfig, Encoding.UTF8.GetBytes(SiteLabServices.PatroniYaml(plan, options.ClusterName, m)),
            "postgres", "postgres", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, ct);
        await host.PutFileAsync(SiteLabServices.PatroniEnv, Encoding.UTF8.GetBytes(SiteLabServices.PatroniEnvironment(options)),
            "postgres", "postgres", UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
    }

    private static async Task<bool> HasDataAsync(SiteLabHosts hosts, string member, CancellationToken ct) =>
        (await hosts[member].RunAsync(new HostCommand(["test", "-f", $"{SiteLabServices.DataDir}/PG_VERSION"]) { RunAs = HostCommand.Root, Timeout = TimeSpan.FromSeconds(30) }, ct)).ExitCode == 0;

    private static async Task StartDnsAsync(SiteLabHosts hosts, SiteLabPlan plan, string apiKey, CancellationToken ct)
    {
        const string dns = SiteLabPlan.DnsHost;
        await hosts.RootAsync(dns, ct, "install", "-d", "-o", "pdns", "-g", "pdns", "-m", "0750", "/var/lib/powerdns");
        await hosts.RootAsync(dns, ct, "install", "-d", "-o", "pdns", "-g", "pdns", "-m", "0755", "/run/pdns");
        // The DNS host's own network namespace lets unprivileged services bind :53, so pdns never runs as root.
        await hosts.RootAsync(dns, ct, "sysctl", "-q", "-w", "net.ipv4.ip_unprivileged_port_start=53");
        await hosts[dns].PutFileAsync($"{SiteLabServices.PdnsConfigDir}/pdns.conf", Encoding.UTF8.GetBytes(SiteLabServices.PdnsConf(plan, apiKey)),
            "pdns", "pdns", UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
        var exists = await hosts[dns].RunAsync(new HostCommand(["test", "-s", SiteLabServices.PdnsDatabase]) { RunAs = HostCommand.Root }, ct);
        if (exists.ExitCode != 0)
        {
            var create = await hosts[dns].RunAsync(new HostCommand(["sh", "-c", "sqlite3 \"$1\" < \"$2\"", "sh", SiteLabServices.PdnsDatabase, SiteLabServices.PdnsSchema])
            { RunAs = "pdns", Timeout = TimeSpan.FromSeconds(60) }, ct);
            if (create.ExitCode != 0)
            {
                throw new InvalidOperationException($"dns: creating the PowerDNS database failed: {create.StdErr.Trim()}");
            }
        }

        await hosts.Services(dns).StartAsync(SiteLabServices.Pdns(), ct);
    }

    /// <summary>Polls <paramref name="condition"/>; the start deadline (a linked token) bounds it, and its timeout message names the hosts' logs.</summary>
    private async Task WaitAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(Poll, _time, ct);
        }
    }
}
