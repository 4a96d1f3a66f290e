using System.Diagnostics;
using HybridOps.Lab;
using Xunit.Abstractions;

namespace HybridOps.Integration.Tests.Lab;

/// <summary>Non-destructive checks against the shared lab.</summary>
[Collection("lab")]
public sealed class LabClusterTests(LabFixture lab, ITestOutputHelper output)
{
    [Fact]
    public async Task Up_gives_one_leader_and_streaming_replicas_on_one_timeline()
    {
        output.WriteLine($"cold up: {lab.ColdUpDuration.TotalSeconds:0.0}s");
        lab.Progress.ForEach(output.WriteLine);

        var status = await lab.Controller.StatusAsync(lab.Options.LabDir, CancellationToken.None);
        status.AllProcessesAlive.ShouldBeTrue();
        var cluster = status.Cluster.ShouldNotBeNull();
        cluster.Members.Count.ShouldBe(3);
        var leader = cluster.Leader.ShouldNotBeNull();
        leader.Name.ShouldBe("pg1");
        leader.State.ShouldBe("running");
        cluster.Replicas.Count.ShouldBe(2);
        cluster.Replicas.ShouldAllBe(r => r.Streaming && r.State == "running" && r.LagBytes != null);
        cluster.Members.Select(m => m.Timeline).Distinct().ShouldHaveSingleItem().ShouldNotBeNull();
        cluster.Members.Select(m => m.Host).ShouldBe(["127.0.21.11", "127.0.21.12", "127.0.21.13"]);
    }

    [Fact]
    public async Task Write_on_leader_is_visible_on_replicas()
    {
        var table = $"lab_probe_{Guid.NewGuid():N}"[..24];
        var value = Guid.NewGuid().ToString("N");
        var leader = lab.Inventory.Members[0];
        (await LabTestSupport.PsqlAsync(lab.Runner, lab.Options, leader.Host,
            $"CREATE TABLE {table}(v text); INSERT INTO {table} VALUES ('{value}');")).EnsureSuccess();

        foreach (var replica in lab.Inventory.Members.Skip(1))
        {
            var stopwatch = Stopwatch.StartNew();
            string seen = "";
            while (stopwatch.Elapsed < TimeSpan.FromSeconds(10) && seen != value)
            {
                var result = await LabTestSupport.PsqlAsync(lab.Runner, lab.Options, replica.Host, $"SELECT v FROM {table}");
                seen = result.Succeeded ? result.StdOut.Trim() : "";
                if (seen != value)
                {
                    await Task.Delay(100);
                }
            }

            seen.ShouldBe(value, $"row not replicated to {replica.Name}");
            output.WriteLine($"{replica.Name} saw the row after {stopwatch.Elapsed.TotalMilliseconds:0} ms");
        }

        var readOnly = await LabTestSupport.PsqlAsync(lab.Runner, lab.Options, lab.Inventory.Members[1].Host, "SELECT pg_is_in_recovery()");
        readOnly.EnsureSuccess().StdOut.Trim().ShouldBe("t");
    }

    [Fact]
    public async Task Up_again_returns_the_running_lab_quickly()
    {
        var stopwatch = Stopwatch.StartNew();
        var before = (await lab.Controller.StatusAsync(lab.Options.LabDir, CancellationToken.None)).LivePids;
        var inventory = await lab.Controller.UpAsync(lab.Options, null, CancellationToken.None);
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        inventory.ToJson().ToJsonString().ShouldBe(lab.Inventory.ToJson().ToJsonString());
        (await lab.Controller.StatusAsync(lab.Options.LabDir, CancellationToken.None)).LivePids.ShouldBe(before);
    }

    [Fact]
    public async Task Inventory_and_files_on_disk_hold_no_secrets()
    {
        var json = lab.Inventory.ToJson();
        json["site"]!.GetValue<string>().ShouldBe("onprem");
        json["cluster_name"]!.GetValue<string>().ShouldBe("hyops-test");
        json["etcd_endpoints"]![0]!.GetValue<string>().ShouldBe("http://127.0.21.1:2379");
        json["members"]![0]!["api_url"]!.GetValue<string>().ShouldBe("http://127.0.21.11:8008");
        json["members"]![0]!["pg_port"]!.GetValue<int>().ShouldBe(5432);
        json["superuser"]!.GetValue<string>().ShouldBe("postgres");
        json["replication_user"]!.GetValue<string>().ShouldBe("replicator");

        // What a real site publishes too, and nothing that names the lab to the modules.
        json["work_root"]!.GetValue<string>().ShouldBe(lab.Options.LabDir);
        json["rebuild_root"]!.GetValue<string>().ShouldBe(Path.Combine(lab.Options.LabDir, "rebuild"));
        json["local_provider_root"]!.GetValue<string>().ShouldBe(lab.Options.LabDir);
        json.ContainsKey("lab_dir").ShouldBeFalse();
        json["members"]![0]!["postgres"]!["socket_dir"]!.GetValue<string>().ShouldBe(Path.Combine(lab.Options.LabDir, "pg1", "run"));

        var secrets = new[] { lab.Options.SuperuserPassword, lab.Options.ReplicationPassword };
        json.ToJsonString().ShouldNotContain(secrets[0]);
        lab.Options.ToString().ShouldNotContain(secrets[0]);
        var checkedFiles = Directory.GetFiles(lab.Options.LabDir, "*.json")
            .Concat(Directory.GetFiles(lab.Options.LabDir, "patroni.yml", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(lab.Options.LabDir, "*.log", SearchOption.AllDirectories))
            .ToList();
        checkedFiles.Count.ShouldBe(1 + 3 + 4);
        foreach (var file in checkedFiles)
        {
            var text = await File.ReadAllTextAsync(file);
            secrets.ShouldAllBe(s => !text.Contains(s), file);
        }
    }
}
