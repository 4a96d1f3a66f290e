using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Modules.Org.DrHosts;

/// <summary>
/// org/gcp/dr-hosts: the cloud site's self-managed hosts (dr-hosts/v1). Provider `hosts` takes hosts
/// the operator has and reaches them over ssh (<see cref="SshDrSite"/>); provider `local` runs the
/// site's etcd on this machine and records it in the site's process registry; `gcp` is refused.
/// </summary>
public sealed partial class DrHostsHandler(IProcessRunner runner) : IModuleHandler
{
    public const string Ref = "org/gcp/dr-hosts";
    private const UnixFileMode Shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string ModuleRef => Ref;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,40}$")]
    private static partial Regex SitePattern();

    public void Validate(ModuleContext context)
    {
        var provider = context.Inputs.String("provider");
        if (provider == "gcp")
        {
            throw HyopsException.From(DiagnosticCatalog.ProviderUnavailable, "provider gcp is not available in this build (no cloud calls are made); use provider local");
        }

        if (provider == SshDrSite.Provider)
        {
            _ = SshDrSite.Hosts(context);
            return;
        }

        if (provider != "local")
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"provider '{provider}' is not one of local, hosts, gcp");
        }

        var site = context.Inputs.String("site") ?? "";
        if (!SitePattern().IsMatch(site))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"site '{site}' must be lower-case letters, digits and '-'");
        }

        if (context.Inputs.Values.Int("host_count") is not (>= 1 and <= 9))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "host_count must be 1 to 9");
        }

        if (context.Inputs.String("address_prefix") is { } prefix
            && (!IPAddress.TryParse(prefix + ".1", out var address) || !IPAddress.IsLoopback(address) || prefix.Split('.').Length != 3))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"address_prefix '{prefix}' must be three octets inside 127.0.0.0/8, like 127.0.2");
        }

        if (context.Inputs.String("data_root") is { } root && (!Path.IsPathFullyQualified(root) || root.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"')))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"data_root '{root}' must be an absolute path without spaces or quotes");
        }
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        if (context.Inputs.String("provider") == SshDrSite.Provider)
        {
            return await SshDrSite.RunAsync(context, cancellationToken);
        }

        var site = context.Action == "destroy" && context.Previous?.Outputs.Str("data_root") is { } recorded
            ? DrSite.Resolve(context) with { DataRoot = recorded }
            : DrSite.Resolve(context);
        return context.Action switch
        {
            "destroy" => await DestroyAsync(context, site, cancellationToken),
            "status" => await StatusAsync(context, site, cancellationToken),
            _ => await DeployAsync(context, site, cancellationToken),
        };
    }

    private async Task<ModuleOutcome> DeployAsync(ModuleContext context, DrSite site, CancellationToken ct)
    {
        var paths = new OwnedPaths(runner, site.OsUser);
        foreach (var (dir, mode) in new[] { (Path.GetDirectoryName(site.DataRoot)!, Shared), (site.DataRoot, Shared), (site.EtcdDir, Shared), (site.EtcdDataDir, Private) })
        {
            await paths.EnsureDirectoryAsync(dir, mode, ct);
        }

        context.Evidence.Check("site_directories", true, new JsonObject { ["data_root"] = site.DataRoot, ["owner"] = site.OsUser });
        var etcd = ProcessRegistry.Load(site.Registry).FirstOrDefault(p => p.Name == "etcd");
        if (etcd is { IsAlive: true })
        {
            context.Evidence.Note($"site etcd already running (pid {etcd.Pid}); kept");
        }
        else
        {
            if (SiteProbe.PortInUse(site.EtcdHost, DrSite.EtcdClientPort) || SiteProbe.PortInUse(site.EtcdHost, DrSite.EtcdPeerPort))
            {
                throw HyopsException.From(DiagnosticCatalog.TargetPortInUse, $"{site.EtcdHost}:{DrSite.EtcdClientPort}/{DrSite.EtcdPeerPort} is taken by a process not registered in {site.Registry}");
            }

            etcd = await StartEtcdAsync(site, context, ct);
        }

        var timeout = TimeSpan.FromSeconds(context.Inputs.Values.Int("start_timeout_s") ?? 60);
        var start = context.Time.GetTimestamp();
        var attemptStart = start;
        var restarts = 0;
        var stuck = new JsonArray();
        while (!await SiteProbe.EtcdHealthyAsync(site.EtcdClientUrl, ct))
        {
            // Seen now and then (CI, a loaded machine): the daemon alive but silent, not one log line, for
            // a whole minute, and a second start the same. What the kernel says it waits in is recorded,
            // then it is killed and started again, up to three times within the start budget.
            if (restarts < 3 && context.Time.GetElapsedTime(attemptStart) > TimeSpan.FromSeconds(10) && new FileInfo(site.EtcdLog) is { Exists: true, Length: 0 })
            {
                restarts++;
                var snapshot = ProcessSnapshot.Describe(etcd.Pid);
                stuck.Add((JsonNode)snapshot);
                context.Evidence.Note($"site etcd wrote nothing in 10 s ({snapshot}); killing it and starting it again ({restarts}/3)");
                ProcessControl.Signal(etcd.Pid, UnixSignal.Kill);
                await ProcessControl.WaitForExitAsync(etcd.Pid, TimeSpan.FromSeconds(5), context.Time, ct);
                ProcessRegistry.Unregister(site.Registry, p => p.Pid == etcd.Pid);
                etcd = await StartEtcdAsync(site, context, ct);
                attemptStart = context.Time.GetTimestamp();
                continue;
            }

            if (!etcd.IsAlive || context.Time.GetElapsedTime(start) > timeout + TimeSpan.FromSeconds(10 * restarts))
            {
                var what = etcd.IsAlive ? $"not healthy after {context.Time.GetElapsedTime(start).TotalSeconds:F0} s ({ProcessSnapshot.Describe(etcd.Pid)})" : "dead";
                context.Evidence.Check("etcd_healthy", false, new JsonObject { ["url"] = site.EtcdClientUrl, ["alive"] = etcd.IsAlive, ["restarts"] = restarts, ["stuck"] = stuck }, DiagnosticCatalog.SiteStartFailed.Code);
                throw HyopsException.From(DiagnosticCatalog.SiteStartFailed,
                    $"etcd of site {site.Name} (pid {etcd.Pid}) is {what} after {restarts} restart(s); log: {site.EtcdLog}\n{FileTail.Read(site.EtcdLog)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), context.Time, ct);
        }

        context.Evidence.Check("etcd_healthy", true, new JsonObject
        {
            ["url"] = site.EtcdClientUrl, ["pid"] = etcd.Pid, ["waited_ms"] = Math.Round(context.Time.GetElapsedTime(start).TotalMilliseconds),
        });
        context.Progress.Report($"site {site.Name}: etcd healthy on {site.EtcdEndpoint}");
        return ModuleOutcome.Ok(Outputs(site, etcd.Pid, true));
    }

    private static async Task<ModuleOutcome> StatusAsync(ModuleContext context, DrSite site, CancellationToken ct)
    {
        var etcd = ProcessRegistry.Load(site.Registry).FirstOrDefault(p => p.Name == "etcd");
        var alive = etcd?.IsAlive == true;
        var healthy = alive && await SiteProbe.EtcdHealthyAsync(site.EtcdClientUrl, ct);
        context.Evidence.Check("etcd_alive_and_healthy", healthy, new JsonObject { ["pid"] = etcd?.Pid, ["alive"] = alive, ["url"] = site.EtcdClientUrl });
        if (!healthy)
        {
            throw HyopsException.From(DiagnosticCatalog.DcsUnreachable, $"etcd of site {site.Name} is {(alive ? "alive but not healthy" : "not running")} ({site.EtcdClientUrl})");
        }

        return ModuleOutcome.Ok(Outputs(site, etcd!.Pid, true));
    }

    private static async Task<ModuleOutcome> DestroyAsync(ModuleContext context, DrSite site, CancellationToken ct)
    {
        var stopped = await ProcessRegistry.StopAsync(site.Registry, null, context.Time, ct);
        foreach (var p in stopped)
        {
            context.Evidence.Action($"stop {p.Name}", ["kill", p.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], 0, TimeSpan.Zero, new JsonObject { ["marker"] = p.Marker });
        }

        var left = ProcessRegistry.Load(site.Registry).Where(p => p.IsAlive).ToList();
        context.Evidence.Check("site_processes_stopped", left.Count == 0, new JsonObject { ["stopped"] = stopped.Select(p => p.Name).ToJsonArray(), ["left"] = left.Select(p => p.Name).ToJsonArray() });
        if (left.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.SiteStartFailed, $"processes still running after destroy: {string.Join(", ", left.Select(p => $"{p.Name} pid {p.Pid}"))}");
        }

        ProcessRegistry.Unregister(site.Registry, _ => true);
        context.Evidence.Note($"destroy stopped the site's processes; data under {site.DataRoot} is kept");
        return ModuleOutcome.Destroyed();
    }

    private static JsonObject Outputs(DrSite site, int etcdPid, bool healthy) => new()
    {
        ["site"] = site.Name,
        ["provider"] = "local",
        ["hosts"] = site.HostsJson(),
        ["dcs"] = new JsonObject { ["kind"] = "etcd3", ["endpoints"] = new[] { site.EtcdEndpoint }.ToJsonArray() },
        ["data_root"] = site.DataRoot,
        // Where hyops keeps this site's working files (the DR lineage's pgBackRest work dir): the site's own tree.
        ["work_root"] = site.DataRoot,
        ["os_user"] = site.OsUser,
        ["executor"] = "local",
        ["etcd_pid"] = etcdPid,
        ["etcd_healthy"] = healthy,
    };

    private async Task<RegisteredProcess> StartEtcdAsync(DrSite site, ModuleContext context, CancellationToken ct)
    {
        var spec = new ProcessSpec(context.Inputs.String("etcd_bin") ?? "/usr/bin/etcd",
        [
            "--name", $"{site.Name}-etcd1",
            "--data-dir", site.EtcdDataDir,
            "--listen-client-urls", site.EtcdClientUrl,
            "--advertise-client-urls", site.EtcdClientUrl,
            "--listen-peer-urls", site.EtcdPeerUrl,
            "--initial-advertise-peer-urls", site.EtcdPeerUrl,
            "--initial-cluster", $"{site.Name}-etcd1={site.EtcdPeerUrl}",
            "--initial-cluster-state", "new",
            "--initial-cluster-token", site.Name,
            "--logger", "zap",
        ], WorkingDirectory: site.EtcdDir, RunAsUser: ProcessIdentity.ServiceUserOrNull(site.OsUser));
        var pid = await runner.StartDetachedAsync(spec, site.EtcdLog, ct);
        var etcd = new RegisteredProcess("etcd", pid, site.EtcdDataDir);
        ProcessRegistry.Register(site.Registry, etcd);
        context.Evidence.Action("start etcd", spec.Arguments.Prepend(spec.FileName), 0, TimeSpan.Zero,
            new JsonObject { ["pid"] = pid, ["log"] = site.EtcdLog, ["registry"] = site.Registry, ["run_as"] = site.OsUser });
        return etcd;
    }
}
