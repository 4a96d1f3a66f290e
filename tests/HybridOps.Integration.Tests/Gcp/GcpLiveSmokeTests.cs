using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// Against a real project (never in CI without credentials): org/gcp/cloudsql-postgresql with provider
/// gcp creates a standby through DMS, status reads it back, destroy deletes it. The instance name is
/// random so two runs never collide; destroy runs even when an assertion fails.
/// </summary>
public sealed class GcpLiveSmokeTests
{
    [GcpLiveFact]
    public async Task TheStandbyInstance_IsCreatedReadAndDeleted_InARealProject()
    {
        await using var site = Site.WithoutLab();
        var name = "hyops-smoke-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        site.Environment["HYOPS_MANAGED_ADMIN_PASSWORD"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        site.Environment[GcpLiveFactAttribute.KeyEnv] = Environment.GetEnvironmentVariable(GcpLiveFactAttribute.KeyEnv)!;
        var inputs = new JsonObject
        {
            ["provider"] = "gcp",
            ["instance_name"] = name,
            ["inventory_state_ref"] = "",
            ["region"] = Environment.GetEnvironmentVariable(GcpLiveFactAttribute.RegionEnv) ?? "europe-west2",
            ["authorized_networks"] = new JsonArray(),
            ["gcp"] = new JsonObject { ["project"] = Environment.GetEnvironmentVariable(GcpLiveFactAttribute.ProjectEnv) },
        };
        var file = site.WriteInputs("live.json", inputs);
        try
        {
            // Nothing on this machine is an authorized network, so readiness over SQL is refused (HYO4040): the API part is what this proves.
            var deployed = await site.HyopsAsync("--output", "json", "module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", file);
            deployed.ExitCode.ShouldBeOneOf([0, 4], deployed.ToString());
            var status = await site.HyopsAsync("--output", "json", "module", "status", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", file);
            status.StdOut.ShouldContain(name);
        }
        finally
        {
            inputs["destroy_confirm"] = name;
            var destroyed = await site.HyopsAsync("module", "destroy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", site.WriteInputs("live-destroy.json", inputs));
            destroyed.ExitCode.ShouldBe(0, destroyed.ToString());
        }
    }
}
