using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// The local provider's member hosts: loopback addresses of this machine whose servers are processes
/// hyops starts as the service user and records by pid in the site's process registry
/// (&lt;data_root&gt;/processes.json), so a later run or `destroy` stops exactly those.
/// </summary>
internal sealed class LocalRestoreMembers(ModuleContext context, RestoreHosts hosts, IProcessRunner runner) : IRestoreMembers
{
    private readonly OwnedPaths paths = new(runner, hosts.OsUser);

    private string? RunAs => ProcessIdentity.ServiceUserOrNull(hosts.OsUser);

    public Task<MemberDirFacts> InspectAsync(RestoreHost host, CancellationToken ct) =>
        Task.FromResult(new MemberDirFacts(OwnerMarker.ReadFrom(host), Directory.Exists(host.DataDir) && Directory.EnumerateFileSystemEntries(host.DataDir).Any()));

    public Task EnsureDirectoryAsync(RestoreHost host, string path, UnixFileMode mode, CancellationToken ct) => paths.EnsureDirectoryAsync(path, mode, ct);

    public Task WriteFileAsync(RestoreHost host, string path, string content, UnixFileMode mode, CancellationToken ct) => paths.WriteFileAsync(path, content, mode, ct);

    public Task DeleteContentsAsync(RestoreHost host, string dir, CancellationToken ct)
    {
        DirectoryContents.Delete(dir);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> RemoveMemberAsync(RestoreHost host, CancellationToken ct)
    {
        if (Directory.Exists(host.Dir))
        {
            Directory.Delete(host.Dir, recursive: true);
        }

        IReadOnlyList<string> left = Directory.Exists(host.Dir) ? [host.Dir] : [];
        return Task.FromResult(left);
    }

    public async Task<MemberCommandResult> RunAsync(RestoreHost host, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? secretEnvironment, TimeSpan timeout, CancellationToken ct)
    {
        var r = await runner.RunAsync(new ProcessSpec(argv[0], [.. argv.Skip(1)], WorkingDirectory: "/", Environment: secretEnvironment, RunAsUser: RunAs, Timeout: timeout), ct);
        return new MemberCommandResult(r.ExitCode, r.StdOut, r.StdErr, r.Duration, r.Argv);
    }

    // The local provider's hosts are this machine.
    public Task<int> CoresAsync(RestoreHost host, CancellationToken ct) => Task.FromResult(Environment.ProcessorCount);

    public async Task StartPatroniAsync(RestoreHost host, string patroniBin, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var spec = new ProcessSpec(patroniBin, [host.PatroniConfig], host.Dir, environment, RunAs);
        var pid = await runner.StartDetachedAsync(spec, host.PatroniLog, ct);
        ProcessRegistry.Register(hosts.Registry, new RegisteredProcess($"patroni-{host.Name}", pid, host.PatroniConfig));
        context.Evidence.Action($"start patroni {host.Name}", [spec.FileName, .. spec.Arguments], 0, TimeSpan.Zero,
            new JsonObject { ["pid"] = pid, ["log"] = host.PatroniLog, ["run_as"] = hosts.OsUser, ["registry"] = hosts.Registry, ["env_keys"] = environment.Keys.ToJsonArray() });
        context.Progress.Report($"started patroni {host.Name} on {host.Host} (pid {pid})");
    }

    public async Task<IReadOnlyList<string>> StopAsync(IReadOnlyList<RestoreHost> targets, CancellationToken ct)
    {
        var dirs = targets.Select(h => h.Dir + Path.DirectorySeparatorChar).ToList();
        bool Ours(RegisteredProcess p) => dirs.Any(d => p.Marker.StartsWith(d, StringComparison.Ordinal) || p.Marker + Path.DirectorySeparatorChar == d);
        var stopped = await ProcessRegistry.StopAsync(hosts.Registry, Ours, context.Time, ct);
        foreach (var p in stopped)
        {
            context.Evidence.Action($"stop {p.Name}", ["kill", "-TERM", p.Pid.ToString(CultureInfo.InvariantCulture)], 0, TimeSpan.Zero, new JsonObject { ["marker"] = p.Marker });
        }

        foreach (var h in targets)
        {
            // A postmaster whose Patroni was killed outlives it: fast shutdown by its own pid file, argv checked.
            if (ReadPostmasterPid(h) is { } pid && ProcessControl.CommandLineContains(pid, h.DataDir))
            {
                await ProcessControl.TerminateAsync(pid, UnixSignal.Interrupt, TimeSpan.FromSeconds(20), context.Time, ct);
                context.Evidence.Action($"stop postgres {h.Name}", ["kill", "-INT", pid.ToString(CultureInfo.InvariantCulture)], 0, TimeSpan.Zero);
            }
        }

        ProcessRegistry.Unregister(hosts.Registry, p => Ours(p) && !p.IsAlive);
        return [.. stopped.Select(p => p.Name)];
    }

    public Task<string?> DeadPatroniAsync(IReadOnlyList<RestoreHost> started, CancellationToken ct)
    {
        var registered = ProcessRegistry.Load(hosts.Registry);
        var dead = started.Select(h => (Host: h, Entry: registered.FirstOrDefault(p => p.Name == $"patroni-{h.Name}")))
            .FirstOrDefault(x => x.Entry is { IsAlive: false });
        return Task.FromResult(dead.Entry is null ? null : $"patroni {dead.Host.Name} (pid {dead.Entry.Pid.ToString(CultureInfo.InvariantCulture)})");
    }

    public Task<string> PatroniLogTailAsync(RestoreHost host, CancellationToken ct) => Task.FromResult(FileTail.Read(host.PatroniLog).Trim());

    public Task<string?> RunningPostgresAsync(RestoreHost host, CancellationToken ct) =>
        Task.FromResult(ReadPostmasterPid(host) is { } pid && ProcessControl.CommandLineContains(pid, host.DataDir) ? $"pid {pid.ToString(CultureInfo.InvariantCulture)}" : null);

    public void RecordRunning(IReadOnlyList<RestoreHost> targets)
    {
        foreach (var h in targets)
        {
            if (ReadPostmasterPid(h) is { } pid)
            {
                ProcessRegistry.Register(hosts.Registry, new RegisteredProcess($"postgres-{h.Name}", pid, h.DataDir));
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal static int? ReadPostmasterPid(RestoreHost h)
    {
        try
        {
            var file = Path.Combine(h.DataDir, "postmaster.pid");
            return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
