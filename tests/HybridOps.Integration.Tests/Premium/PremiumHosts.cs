using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>The premium lane's inputs and operator actions on lab hosts (docs/lab-hosts.md, docs/premium-failback.md).</summary>
internal static class PremiumHosts
{
    public static readonly string[] Members = ["pg1", "pg2", "pg3"];

    /// <summary>
    /// The standby blueprint's inputs from `lab up --output json`: the DR source admits the managed host's
    /// address only (managed_site.consumer_cidrs), the instance runs on the provider's host and admits the
    /// site network hyops and the application reach it from.
    /// </summary>
    public static JsonObject StandbyInputs(JsonNode up) => new()
    {
        ["dr_source"] = new JsonObject { ["allowed_consumer_cidrs"] = up["managed_site"]!["consumer_cidrs"]!.DeepClone() },
        ["managed_instance"] = Managed.DrSourceFixture.InstanceInputs(up),
    };

    /// <summary>
    /// The operator retires the old on-prem database tier before a failback, as on every site hyops does not
    /// run itself (the reseed stops no foreign process; HYO4021 says so): Patroni stopped on every member over
    /// ssh, which shuts its PostgreSQL down; etcd keeps running. Returns once no member host runs PostgreSQL.
    /// </summary>
    public static async Task RetireOnpremDatabaseTierAsync(this Site site)
    {
        foreach (var member in Members)
        {
            await site.StopServiceAsync(member, "patroni");
        }

        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (Members.Any(m => site.RunsOn(m, "/usr/lib/postgresql/15/bin/postgres")))
        {
            DateTimeOffset.UtcNow.ShouldBeLessThan(until, "PostgreSQL still runs on a member after its Patroni stopped");
            await Task.Delay(200);
        }

        Members.ShouldAllBe(m => !site.RunsOn(m, "/usr/bin/patroni"));
        await site.SshAsync("etcd", "start-stop-daemon --status --pidfile /run/hyops/etcd.pid");
    }

}
