using System.Security.Cryptography;
using System.Text.Json;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>
/// Lab host tests use block 9 ONLY (bridge 169.254.250.145, hosts .146-.158). Every test removes what
/// it created, also on failure: DownAsync, then the cleaner by record and by the block's naming.
/// </summary>
internal static class LabHostsTestSupport
{
    public const int Block = 9;

    public static readonly IProcessRunner Runner = new LocalProcessRunner();

    public static string NewLabDir() =>
        Path.Combine("/tmp", $"hyops-hosttest-{RandomNumberGenerator.GetHexString(8, lowercase: true)}");

    /// <summary>`ssh -F &lt;lab ssh_config&gt; [extra] host command`, as hyops reaches a lab host.</summary>
    public static Task<ProcessResult> SshAsync(string labDir, string host, string command, params string[] extra) =>
        Runner.RunAsync(new ProcessSpec("ssh",
            ["-F", new LabHostPaths(labDir).SshConfigFile, "-o", "ConnectTimeout=5", .. extra, host, command],
            WorkingDirectory: "/", Timeout: TimeSpan.FromSeconds(30)), CancellationToken.None);

    public static async Task<string> SshOkAsync(string labDir, string host, string command, params string[] extra)
    {
        var result = await SshAsync(labDir, host, command, extra);
        result.ExitCode.ShouldBe(0, $"ssh {host} '{command}': {result.StdErr}");
        return result.StdOut.Trim();
    }

    /// <summary>The host's pids once a process with this argv runs in it (a backgrounded ssh command may still be forking).</summary>
    public static async Task<IReadOnlyList<int>> WaitForProcessAsync(string labDir, string host, string argv)
    {
        for (var i = 0; i < 100; i++)
        {
            var pids = LabHostSet.ProcessesOf(labDir, host);
            if (pids.Any(p => string.Join(' ', ProcessControl.ReadCommandLine(p)) == argv))
            {
                return pids;
            }

            await Task.Delay(50);
        }

        throw new ShouldAssertException($"no '{argv}' in host {host}");
    }

    /// <summary>Every pid hosts.json holds (launchers and inits).</summary>
    public static IReadOnlyList<int> RecordedPids(string labDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(new LabHostPaths(labDir).RecordFile));
        return doc.RootElement.GetProperty("hosts").EnumerateArray()
            .SelectMany(h => new[] { h.GetProperty("launcher_pid"), h.GetProperty("init_pid") })
            .Where(p => p.ValueKind == JsonValueKind.Number)
            .Select(p => p.GetInt32())
            .ToList();
    }

    /// <summary>Down, then the cleaner (record and naming), then the lab dir; never throws over the test's own failure.</summary>
    public static async Task RemoveAsync(string labDir)
    {
        try
        {
            await new LabHostSet(Runner).DownAsync(labDir, CancellationToken.None);
        }
        finally
        {
            await new LabCleaner(Runner).CleanAsync(labDir, Block, CancellationToken.None);
            if (Directory.Exists(labDir))
            {
                Directory.Delete(labDir, recursive: true);
            }
        }
    }

    /// <summary>No pid alive, no hyops-9-* netns, no hyb9 or block-9 veth, no mount under the lab dir.</summary>
    public static async Task AssertNothingLeftAsync(string labDir, IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            ProcessControl.IsAlive(pid).ShouldBeFalse($"pid {pid} ({string.Join(' ', ProcessControl.ReadCommandLine(pid))}) is alive");
        }

        var netns = (await Runner.RunAsync(ProcessSpec.Of("ip", "netns", "list"), CancellationToken.None)).EnsureSuccess().StdOut;
        netns.ShouldNotContain($"hyops-{Block}-");
        var links = (await Runner.RunAsync(ProcessSpec.Of("ip", "-o", "link"), CancellationToken.None)).EnsureSuccess().StdOut;
        var plan = new LabAddressPlan(Block);
        links.ShouldNotContain($" {plan.BridgeName}:");
        foreach (var veth in plan.AllHostAddresses().Select(LabAddressPlan.VethName))
        {
            links.ShouldNotContain($" {veth}@");
        }

        File.ReadAllText("/proc/mounts").ShouldNotContain(labDir);
    }

    /// <summary>Every process of the machine with its argv (NULs as spaces); unreadable ones are skipped.</summary>
    public static List<(int Pid, string Argv)> Processes()
    {
        var list = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                list.Add((pid, File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim()));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return list;
    }

    /// <summary>The parent chain of <paramref name="pid"/> up to pid 1.</summary>
    public static List<int> Ancestors(int pid)
    {
        var chain = new List<int>();
        for (var p = pid; p > 1 && chain.Count < 64;)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{p}/stat");
            }
            catch (IOException)
            {
                break;
            }

            p = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            chain.Add(p);
        }

        return chain;
    }

    /// <summary>
    /// Publishes the site's repository: a posix repository on the share every lab host mounts at
    /// /var/lib/pgbackrest (one directory, as a site mounts one NFS export on every database host).
    /// </summary>
    public static void PublishSharedRepository(string root)
    {
        var states = new HybridOps.Core.State.StateStore(root, new HybridOps.Core.Secrets.Redactor());
        states.Write(new HybridOps.Core.State.ModuleState
        {
            ModuleRef = "org/gcp/object-repo", Status = "ok", Action = "deploy", RunId = "site", UpdatedAt = DateTimeOffset.UtcNow,
            ContractVersion = "object-repo/v1",
            Outputs = new System.Text.Json.Nodes.JsonObject
            {
                ["backend"] = "posix", ["bucket"] = "site-repo", ["path"] = "/pgbackrest", ["repo_uri"] = "posix:///var/lib/pgbackrest/site-repo",
                ["credential_env_keys"] = new System.Text.Json.Nodes.JsonObject(), ["contract_version"] = "object-repo/v1",
                ["pgbackrest_options"] = new System.Text.Json.Nodes.JsonObject { ["repo1-type"] = "posix", ["repo1-path"] = "/var/lib/pgbackrest/site-repo" },
            },
        });
    }

    /// <summary>Waits (at most 90 s) until the leader reports <paramref name="segment"/> archived.</summary>
    public static async Task WaitArchivedAsync(HybridOps.Postgres.Sql.PgEndpoint leader, string segment)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (string.CompareOrdinal(await HybridOps.Postgres.Sql.PgProbe.ScalarAsync<string>(leader, "select coalesce(last_archived_wal, '') from pg_stat_archiver", CancellationToken.None), segment) < 0)
        {
            sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(90), $"segment {segment} not archived");
            await Task.Delay(200);
        }
    }

    /// <summary>The outputs a module state of the site's runtime root holds.</summary>
    public static System.Text.Json.Nodes.JsonObject StateOutputs(HybridOps.Integration.Tests.Support.Site site, string moduleId, string? instance = null) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(site.StatePath(moduleId, instance)))!["outputs"]!.AsObject();
}
