using System.Diagnostics;
using System.Security.Cryptography;
using HybridOps.Cli;
using HybridOps.Lab;
using HybridOps.Postgres.Sql;

namespace HybridOps.Integration.Tests.Support;

/// <summary>
/// A runtime root plus a real lab on its own loopback prefix, driven through the hyops CLI in-process,
/// exactly as an operator would. The lab passwords are set in the (in-process) environment so tests
/// know them; hyops resolves env before the vault.
/// </summary>
public sealed class Site : IAsyncDisposable
{
    public Site(string prefix)
    {
        Prefix = prefix;
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

    public string Prefix { get; }
    public string Dir { get; }
    public string Root { get; }
    public string LabDir { get; }
    public string SuperuserPassword { get; }
    public string ReplicationPassword { get; }
    public Dictionary<string, string> Environment { get; }
    public bool Up { get; private set; }

    public static string RepoRoot { get; } = FindRepoRoot();

    public string Host(int lastOctet) => $"{Prefix}.{lastOctet}";

    public PgEndpoint Endpoint(string member) =>
        new(Host(10 + int.Parse(member[2..], System.Globalization.CultureInfo.InvariantCulture)), 5432, "postgres", SuperuserPassword);

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
        var r = await HyopsAsync(["--output", "json", "lab", "up", "--lab-dir", LabDir, "--address-prefix", Prefix, .. extraUpOptions]);
        if (r.ExitCode != 0)
        {
            // A half-started lab is taken down here: xunit may not dispose a fixture whose start failed.
            await HyopsAsync("lab", "down", "--lab-dir", LabDir);
        }

        r.ExitCode.ShouldBe(0, r.ToString());
        Up = true;
        return r;
    }

    public Task StopPostgresOutsideHyopsAsync(string member) =>
        new LabController().StopPostgresOfMemberAsync(LabDir, member, CancellationToken.None);

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
            var r = await HyopsAsync("lab", "down", "--lab-dir", LabDir, "--purge");
            Up = false;
            r.ExitCode.ShouldBe(0, r.ToString());
        }

        LiveProcessesMentioning(LabDir).ShouldBeEmpty();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
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
