using System.Text.Json.Nodes;
using HybridOps.Core.Drill;
using HybridOps.Integration.Tests.Support;
using HybridOps.Lab.Load;
using Npgsql;

namespace HybridOps.Integration.Tests.Drill;

/// <summary>
/// The load follows the published endpoint: a Patroni switchover pg1 -> pg2 makes writes fail
/// (read-only / connection lost) until dns-routing points db.hyops.lab. at pg2; the load then
/// re-resolves on reconnect and writes there. No acknowledged row is lost (own lab on 127.0.61).
/// </summary>
[Trait("lab", "hosts")]
public sealed class WriteLoadSwitchoverTests : IAsyncLifetime
{
    private readonly Site site = Site.OnHosts(DrillSiteFixture.Block);

    public Task InitializeAsync() => site.StartAsync();

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task Load_FollowsTheServiceRecordAcrossASwitchover_AndEveryAckedRowIsOnTheNewLeader()
    {
        var load = new WriteLoad(new WriteLoadOptions(site.Address("dns"), 53, "db.hyops.lab.", "postgres", site.SuperuserPassword, Path.Combine(site.Dir, "load")) { Rate = 20 });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var running = Task.Run(() => load.RunAsync(null, stop.Token));
        await WaitUntilAsync(() => load.AckCount >= 20, "20 acks on pg1");

        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
        {
            // StringContent sends Content-Length: Patroni's REST server does not read chunked bodies.
            using var body = new StringContent("{\"leader\":\"pg1\",\"candidate\":\"pg2\"}", System.Text.Encoding.UTF8, "application/json");
            var r = await http.PostAsync(new Uri($"http://{site.Address("pg1")}:8008/switchover"), body);
            r.IsSuccessStatusCode.ShouldBeTrue(await r.Content.ReadAsStringAsync());
        }

        var switchedAt = DateTimeOffset.UtcNow;
        var route = await site.HyopsAsync("module", "deploy", "--module", "platform/network/dns-routing", "--inputs", Inputs($"target_host: \"{site.Address("pg2")}\""));
        route.ExitCode.ShouldBe(0, route.ToString());
        var routedAt = DateTimeOffset.UtcNow;
        await WaitUntilAsync(() => load.Acks.Any(a => a.Address == site.Address("pg2") && a.AckedAt >= routedAt), "an ack via pg2 after the DNS change");
        await stop.CancelAsync();
        var summary = await running;

        summary.AckedByAddress.Keys.ShouldBe([site.Address("pg1"), site.Address("pg2")], ignoreOrder: true);
        summary.Failed.ShouldBeGreaterThan(0); // the writes between the switchover and the DNS change
        load.Acks.Where(a => a.AckedAt > switchedAt).ShouldAllBe(a => a.Address == site.Address("pg2") || a.AckedAt <= routedAt);

        var ids = new HashSet<long>();
        await using (var conn = new NpgsqlConnection(site.Endpoint("pg2").ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("select id from hyops_drill.acks where load_id = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = summary.LoadId });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        var rpo = DrillMeasure.Rpo(load.Acks, summary.LoadId, ids);
        rpo.Acknowledged.ShouldBe(summary.Acked);
        rpo.MissingCount.ShouldBe(0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (!condition())
        {
            DateTimeOffset.UtcNow.ShouldBeLessThan(deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private string Inputs(string yaml)
    {
        var file = Path.Combine(site.Dir, $"inputs-{Guid.NewGuid():N}.yml");
        File.WriteAllText(file, yaml);
        return file;
    }
}
