using System.Diagnostics;
using System.Security.Cryptography;
using HybridOps.Cli;
using HybridOps.Postgres.Sql;

namespace HybridOps.Integration.Tests.Support;

/// <summary>
/// A runtime root plus a real lab, driven through the hyops CLI in-process, exactly as an operator
/// would, on namespaced lab hosts of one /28 block reached only over SSH (<see cref="OnHosts"/>), or a
/// runtime root with no lab (<see cref="WithoutLab"/>). The lab passwords are set in the (in-process)
/// environment so tests know them; hyops resolves env before the vault.
/// </summary>
public sealed class Site : IAsyncDisposable
{
    private Site(int? block)
    {
        Block = block;
        Dir = Path.Combine(Path.GetTempPath(), $"hyops-it-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(Dir);
        Root = Path.Combine(Dir, "root");
        LabDir = Path.Combine(Dir, "lab");
        SuperuserPassword = "su-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        ReplicationPassword = "re-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        Environment = new Dictionary<string, string>
        {
            ["HOME"] = Dir,
            ["HYOPS_CONTENT_ROOT"] = RepoRoot,
            ["HYOPS_VAULT_PASSWORD"] = "vault-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            ["HYOPS_LAB_PG_SUPERUSER_PASSWORD"] = SuperuserPassword,
            ["HYOPS_LAB_PG_REPLICATION_PASSWORD"] = ReplicationPassword,
        };
    }

    /// <summary>The lab's range: the first three octets of 169.254.250.0/24.</summary>
    public const string Prefix = "169.254.250";

    /// <summary>The lab-host block (1..14); null for a runtime root with no lab.</summary>
    public int? Block { get; }

    public bool HasLab => Block is not null;
    public string Dir { get; }
    public string Root { get; }
    public string LabDir { get; }
    public string SuperuserPassword { get; }
    public string ReplicationPassword { get; }
    public Dictionary<string, string> Environment { get; }
    public bool Up { get; private set; }

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A site on namespaced lab hosts of <paramref name="block"/>, reached only over SSH (docs/lab-hosts.md).</summary>
    public static Site OnHosts(int block) => new(block);

    /// <summary>A runtime root with no lab (e.g. for the fake of Google Cloud's APIs alone).</summary>
    public static Site WithoutLab() => new(null);

    /// <summary>The address of a lab host by name (pg1..pg3, etcd, dns, dr1.., managed, objstore), from the hosts record.</summary>
    public string Address(string host) =>
        HybridOps.Lab.Hosts.LabHostSet.Hosts(LabDir).SingleOrDefault(h => h.Name == host)?.Address
            ?? throw new InvalidOperationException($"no lab host {host} in {LabDir}");

    /// <summary>
    /// This machine's address on the block's bridge, where lab hosts see hyops' own connections come from
    /// (and those of the fake Google Cloud's instances, which are servers on this machine).
    /// </summary>
    public string BridgeAddress => new HybridOps.Lab.Hosts.LabAddressPlan(LabBlock).BridgeAddress;

    /// <summary>The block's network (/28: the bridge and every host of the lab).</summary>
    public string Network =>
        $"{Prefix}.{(16 * LabBlock).ToString(System.Globalization.CultureInfo.InvariantCulture)}/{HybridOps.Lab.Hosts.LabAddressPlan.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    private int LabBlock => Block ?? throw new InvalidOperationException("this site has no lab");

    public PgEndpoint Endpoint(string member) => new(Address(member), 5432, "postgres", SuperuserPassword);

    public async Task<CliResult> HyopsAsync(params string[] args) => await HyopsWithAsync(Environment, args);

    public async Task<CliResult> HyopsWithAsync(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await HyopsCli.RunAsync(["--root", Root, .. args], new CliIO(stdout, stderr, new StringReader("")), env, TimeProvider.System, CancellationToken.None);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public Task StartAsync() => StartAsync([]);

    /// <summary>`lab up` with extra options (e.g. --object-stores); the result is its JSON document.</summary>
    public async Task<CliResult> StartAsync(string[] extraUpOptions)
    {
        var r = await HyopsAsync(["--output", "json", "lab", "up", "--lab-dir", LabDir, "--block", LabBlock.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extraUpOptions]);
        if (r.ExitCode != 0)
        {
            // A half-started lab is taken down here: xunit may not dispose a fixture whose start failed.
            await HyopsAsync("lab", "down", "--lab-dir", LabDir);
            await CleanHostsAsync();
        }

        r.ExitCode.ShouldBe(0, r.ToString());
        Up = true;
        return r;
    }

    /// <summary>`ssh -F &lt;lab ssh_config&gt; host command`, as hyops reaches a lab host.</summary>
    public async Task<string> SshAsync(string host, string command)
    {
        var result = await new HybridOps.Postgres.Exec.LocalProcessRunner().RunAsync(new HybridOps.Postgres.Exec.ProcessSpec("ssh",
            ["-F", new HybridOps.Lab.Hosts.LabHostPaths(LabDir).SshConfigFile, "-o", "ConnectTimeout=5", host, command],
            WorkingDirectory: "/", Timeout: TimeSpan.FromSeconds(60)), CancellationToken.None);
        result.ExitCode.ShouldBe(0, $"ssh {host} '{command}': {result.StdErr}");
        return result.StdOut.Trim();
    }

    /// <summary>Whether a process whose argv contains <paramref name="program"/> runs on the host (its own pid namespace).</summary>
    public bool RunsOn(string host, string program) =>
        HybridOps.Lab.Hosts.LabHostSet.ProcessesOf(LabDir, host).Any(p =>
            HybridOps.Postgres.Exec.ProcessControl.ReadCommandLine(p) is { Count: > 0 } argv && string.Join(' ', argv).Contains(program, StringComparison.Ordinal));

    /// <summary>Stops a service of a host behind hyops' back, as an operator's `systemctl stop` would (start-stop-daemon, the lab hosts' service manager).</summary>
    public Task<string> StopServiceAsync(string host, string service) =>
        SshAsync(host, $"start-stop-daemon --stop --quiet --pidfile /run/hyops/{service}.pid --retry TERM/10/KILL/5 --remove-pidfile");

    /// <summary>
    /// Stops a member's PostgreSQL behind hyops' back, as an operator with a shell on the host would: SIGKILL
    /// of the host's Patroni (so it cannot start PostgreSQL again), then `pg_ctl stop -m immediate` as postgres.
    /// </summary>
    public async Task StopPostgresOutsideHyopsAsync(string member)
    {
        await SshAsync(member, "start-stop-daemon --stop --quiet --pidfile /run/hyops/patroni.pid --signal KILL --remove-pidfile; sleep 0.5;"
            + " sudo -u postgres /usr/lib/postgresql/15/bin/pg_ctl -D /var/lib/postgresql/15/main status >/dev/null || exit 0;"
            + " sudo -u postgres /usr/lib/postgresql/15/bin/pg_ctl -D /var/lib/postgresql/15/main stop -m immediate");
    }

    public string StatePath(string moduleId, string? instance = null) =>
        instance is null
            ? Path.Combine(Root, "state", "modules", moduleId, "latest.json")
            : Path.Combine(Root, "state", "modules", moduleId, "instances", instance + ".json");

    /// <summary>Every file under the runtime root, as text (bytes decoded as UTF-8).</summary>
    public IEnumerable<(string Path, string Text)> RuntimeFiles() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(f => (f, System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(f))));

    /// <summary>Non-zombie processes whose argv mentions this site's lab dir.</summary>
    public static IReadOnlyList<string> LiveProcessesMentioning(string marker)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (state != "Z" && cmdline.Contains(marker, StringComparison.Ordinal) && int.Parse(Path.GetFileName(dir), System.Globalization.CultureInfo.InvariantCulture) != System.Environment.ProcessId)
                {
                    found.Add($"{Path.GetFileName(dir)} {cmdline}");
                }
            }
            catch (IOException)
            {
                // the process went away while we looked
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        if (Up)
        {
            CliResult r;
            try
            {
                r = await HyopsAsync("lab", "down", "--lab-dir", LabDir, "--purge");
            }
            finally
            {
                Up = false;
                await CleanHostsAsync();
            }

            r.ExitCode.ShouldBe(0, r.ToString());
        }

        LiveProcessesMentioning(LabDir).ShouldBeEmpty();
        if (HasLab)
        {
            var netns = await new HybridOps.Postgres.Exec.LocalProcessRunner().RunAsync(HybridOps.Postgres.Exec.ProcessSpec.Of("ip", "netns", "list"), CancellationToken.None);
            netns.StdOut.ShouldNotContain($"hyops-{Block}-");
        }

        try
        {
            // HYOPS_IT_KEEP=1 keeps the site's files (run records, state) for a look after a failure.
            if (System.Environment.GetEnvironmentVariable("HYOPS_IT_KEEP") == "1")
            {
                return;
            }

            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Whatever a failed `lab down` left of the block (processes, namespaces, veths, bridge, mounts) is removed, so the next test's block is clean.</summary>
    private async Task CleanHostsAsync()
    {
        if (HasLab)
        {
            await new HybridOps.Lab.Hosts.LabCleaner(new HybridOps.Postgres.Exec.LocalProcessRunner()).CleanAsync(Directory.Exists(LabDir) ? LabDir : null, Block!.Value, CancellationToken.None);
        }
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "hyops.slnx")))
            {
                return d.FullName;
            }
        }

        throw new UnreachableException("repository root (hyops.slnx) not found above the test binaries");
    }
}
