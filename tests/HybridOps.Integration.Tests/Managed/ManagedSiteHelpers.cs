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

}
