using System.Security.Cryptography;
using HybridOps.Lab;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Lab;

/// <summary>Helpers shared by the lab tests: options with fresh secrets, psql, and leak checks.</summary>
internal static class LabTestSupport
{
    public static LabOptions NewOptions(string addressPrefix) => new(
        Path.Combine(Path.GetTempPath(), $"hyops-labtest-{RandomNumberGenerator.GetHexString(8, lowercase: true)}"),
        RandomNumberGenerator.GetHexString(24, lowercase: true),
        RandomNumberGenerator.GetHexString(24, lowercase: true))
    {
        Topology = new LabTopology(AddressPrefix: addressPrefix),
        ClusterName = "hyops-test",
    };

    /// <summary>Runs one SQL statement with psql as the superuser over TCP; password via PGPASSWORD only.</summary>
    public static async Task<ProcessResult> PsqlAsync(IProcessRunner runner, LabOptions options, string host, string sql)
    {
        var spec = new ProcessSpec(
            "/usr/bin/psql",
            ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", options.Topology.PostgresPort.ToString(),
                "-U", LabOptions.SuperuserName, "-d", "postgres", "-c", sql],
            WorkingDirectory: Path.GetTempPath(),
            Environment: new Dictionary<string, string>
            {
                ["PGPASSWORD"] = options.SuperuserPassword,
                ["PGCONNECT_TIMEOUT"] = "3",
            },
            RunAsUser: ProcessIdentity.ServiceUserOrNull(),
            Timeout: TimeSpan.FromSeconds(20));
        return await runner.RunAsync(spec, CancellationToken.None);
    }

    /// <summary>Every pid is dead, and no process mentioning the lab dir in its argv exists (checked with ps).</summary>
    public static async Task AssertNothingLeftAsync(IProcessRunner runner, string labDir, IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            ProcessControl.IsAlive(pid).ShouldBeFalse($"pid {pid} ({string.Join(' ', ProcessControl.ReadCommandLine(pid))}) is still alive");
        }

        var ps = (await runner.RunAsync(ProcessSpec.Of("ps", "-eo", "pid,stat,comm,args"), CancellationToken.None)).EnsureSuccess();
        var leftovers = ps.StdOut.Split('\n')
            .Where(line => line.Contains(labDir, StringComparison.Ordinal))
            .Where(line => line.Contains("postgres", StringComparison.Ordinal) || line.Contains("patroni", StringComparison.Ordinal)
                           || line.Contains("etcd", StringComparison.Ordinal))
            .ToList();
        leftovers.ShouldBeEmpty();
    }
}
