using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using Npgsql;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// platform/onprem/postgresql-dr-source with consumer_provider gcp on a lab of hosts (block 4): the lab's
/// Patroni cluster does not preload pglogical, so the source is refused before anything changes, with
/// each missing Database Migration Service prerequisite named (HYO8011, exit 5); the same inputs with
/// consumer_provider local are accepted.
/// </summary>
public sealed class GcpDrSourceTests : IAsyncLifetime
{
    private const string Module = "platform/onprem/postgresql-dr-source";
    private readonly Site site = Site.OnHosts(4);

    public async Task InitializeAsync()
    {
        site.Environment["HYOPS_DR_REPLICATION_PASSWORD"] = "dr-gcp-Pw-" + Guid.NewGuid().ToString("N")[..12];
        await site.StartAsync();
        var ha = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha");
        ha.ExitCode.ShouldBe(0, ha.ToString());
    }

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task ASourceWithoutPglogical_IsRefusedForGcp_NamingEachMissingItem_BeforeAnyChange()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var hbaBefore = (await http.GetFromJsonAsync<JsonObject>($"http://{site.Address("pg1")}:8008/config"))!["postgresql"]!["pg_hba"]!.ToJsonString();
        var inputs = Path.Combine(site.Dir, "gcp-source.yml");
        File.WriteAllText(inputs, $"source_databases: [postgres]\nallowed_consumer_cidrs: [\"{Managed.DrSourceFixture.ConsumerCidr(site)}\"]\nconsumer_provider: gcp\n");

        var refused = await site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", inputs);
        refused.ExitCode.ShouldBe(5, refused.ToString());
        refused.StdErr.ShouldContain("HYO8011");
        refused.StdErr.ShouldContain("shared_preload_libraries");
        refused.StdErr.ShouldContain("does not include pglogical");
        await using (var conn = new NpgsqlConnection(site.Endpoint("pg1").ConnectionString))
        {
            await conn.OpenAsync();
            await using var available = new NpgsqlCommand("select count(*)::int from pg_available_extensions where name = 'pglogical'", conn);
            if ((int)(await available.ExecuteScalarAsync())! == 0)
            {
                refused.StdErr.ShouldContain("install postgresql-15-pglogical");
            }

            // Nothing changed: no replication role, no pg_hba line.
            await using var role = new NpgsqlCommand("select count(*)::int from pg_roles where rolname = 'hyops_dr_repl'", conn);
            ((int)(await role.ExecuteScalarAsync())!).ShouldBe(0);
        }

        (await http.GetFromJsonAsync<JsonObject>($"http://{site.Address("pg1")}:8008/config"))!["postgresql"]!["pg_hba"]!.ToJsonString().ShouldBe(hbaBefore);

        File.WriteAllText(inputs, $"source_databases: [postgres]\nallowed_consumer_cidrs: [\"{Managed.DrSourceFixture.ConsumerCidr(site)}\"]\nconsumer_provider: local\n");
        var local = await site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", inputs);
        local.ExitCode.ShouldBe(0, local.ToString());
        (await site.HyopsAsync("module", "destroy", "--module", Module, "--inputs", inputs)).ExitCode.ShouldBe(0);
    }
}
