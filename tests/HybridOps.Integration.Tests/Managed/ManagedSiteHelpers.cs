using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Managed;

/// <summary>CLI and cleanup helpers shared by the managed-lane tests.</summary>
internal static class ManagedSiteHelpers
{
    public const string InstanceRef = "org/gcp/cloudsql-postgresql";
    public const string ReplicaRef = "org/gcp/cloudsql-external-replica";
    public const string PromoteRef = "org/gcp/cloudsql-promote";

    public static string WriteInputs(this Site site, string name, JsonObject inputs)
    {
        var path = Path.Combine(site.Dir, name);
        File.WriteAllText(path, inputs.ToJsonString());
        return path;
    }

    /// <summary>Lab hosts: pids of the managed host's processes whose argv contains <paramref name="marker"/>.</summary>
    public static IReadOnlyList<int> ManagedHostProcesses(this Site site, string marker) =>
        [.. HybridOps.Lab.Hosts.LabHostSet.ProcessesOf(site.LabDir, "managed").Where(p => ProcessControl.CommandLineContains(p, marker))];

    public static async Task<JsonNode> OkAsync(this Site site, params string[] args)
    {
        var r = await site.HyopsAsync(["--output", "json", .. args]);
        r.ExitCode.ShouldBe(0, r.ToString());
        return JsonNode.Parse(r.StdOut)!;
    }

    /// <summary>
    /// Last-resort cleanup after a failed test on the loopback lab: stops every pid listed in the managed
    /// site's processes.json whose argv still contains its marker (the same rule `lab down` applies). On lab
    /// hosts the managed host's servers end with the host at `lab down`.
    /// </summary>
    public static async Task StopManagedProcessesAsync(this Site site)
    {
        var file = Path.Combine(site.LabDir, "sites", "managed", "processes.json");
        if (site.OnLabHosts || !File.Exists(file))
        {
            return;
        }

        foreach (var p in (JsonNode.Parse(File.ReadAllText(file))?["processes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var pid = p["pid"]!.GetValue<int>();
            if (ProcessControl.CommandLineContains(pid, p["marker"]!.GetValue<string>()))
            {
                await ProcessControl.TerminateAsync(pid, TimeSpan.FromSeconds(10), CancellationToken.None);
            }
        }
    }
}
