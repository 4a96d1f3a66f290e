using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using Npgsql;

namespace HybridOps.Integration.Tests.Drill;

/// <summary>`lab load` and `blueprint drill` (no disaster) against a real lab on hosts (pg1 leads after `lab up`).</summary>
[Trait("lab", "hosts")]
public sealed class WriteLoadAndDrillTests(DrillSiteFixture fixture) : IClassFixture<DrillSiteFixture>
{
    private Site Site => fixture.Site;

    [Fact]
    public async Task LabLoad_ForFiveSeconds_AcksWrites_AndEveryAckedIdIsInTheTable()
    {
        var outDir = Path.Combine(Site.Dir, "load-" + Guid.NewGuid().ToString("N")[..6]);

        var r = await Site.HyopsAsync("--output", "json", "lab", "load", "--duration", "5", "--rate", "20", "--out", outDir);

        r.ExitCode.ShouldBe(0, r.ToString());
        var summary = JsonNode.Parse(r.StdOut)!;
        var acked = summary["acked"]!.GetValue<long>();
        acked.ShouldBeGreaterThan(20);
        summary["acked_by_address"]![Site.Address("pg1")]!.GetValue<long>().ShouldBe(acked);
        var loadId = summary["load_id"]!.GetValue<string>();
        var ackedIds = File.ReadAllLines(Path.Combine(outDir, "acks.jsonl")).Select(l => JsonNode.Parse(l)!["id"]!.GetValue<long>()).ToList();
        ackedIds.Count.ShouldBe((int)acked);

        var inTable = await IdsAsync(loadId);
        ackedIds.ShouldAllBe(id => inTable.Contains(id));
        File.ReadAllText(Path.Combine(outDir, "acks.jsonl")).ShouldNotContain(Site.SuperuserPassword);
        r.StdErr.ShouldNotContain(Site.SuperuserPassword);
    }

    [Fact]
    public async Task Drill_OfADnsRepublishBlueprint_ReportsRtoAboveZero_RpoZero_AndEveryPhase()
    {
        var r = await Site.HyopsAsync("--output", "json", "blueprint", "drill", "--ref", DrillContent.Blueprint, "--rate", "20", "--settle-s", "1");

        r.ExitCode.ShouldBe(0, r.ToString());
        var report = JsonNode.Parse(r.StdOut)!;
        report["status"]!.GetValue<string>().ShouldBe("ok");
        report["blueprint_status"]!.GetValue<string>().ShouldBe("ok");
        report["failover_start_source"]!.GetValue<string>().ShouldBe("blueprint_start");
        var rto = report["rto"]!;
        rto["seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);
        rto["first_ack_address"]!.GetValue<string>().ShouldBe(Site.Address("pg1"));
        DateTimeOffset.Parse(rto["first_ack_after"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeGreaterThanOrEqualTo(DateTimeOffset.Parse(rto["published_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        var rpo = report["rpo"]!;
        rpo["missing_count"]!.GetValue<long>().ShouldBe(0);
        rpo["acknowledged"]!.GetValue<long>().ShouldBeGreaterThan(0);
        rpo["found"]!.GetValue<long>().ShouldBe(rpo["acknowledged"]!.GetValue<long>());
        report["writes"]!["acked"]!.GetValue<long>().ShouldBe(rpo["acknowledged"]!.GetValue<long>());
        var phases = report["phases"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        phases.ShouldBe(["load warm-up", "blueprint deploy", "step assess", "step publish", "recovery wait", "verify rows"]);
        report["phases"]!.AsArray().ShouldAllBe(p => p!["duration_s"]!.GetValue<double>() >= 0);

        // The rows are really there: read the ids of this load straight from the leader.
        var ids = await IdsAsync(report["writes"]!["load_id"]!.GetValue<string>());
        ids.Count.ShouldBeGreaterThanOrEqualTo((int)rpo["acknowledged"]!.GetValue<long>());

        var dir = report["report_dir"]!.GetValue<string>();
        dir.ShouldStartWith(Path.Combine(Site.Root, "drills", "test__drill-dns-republish@v1"));
        File.ReadAllText(Path.Combine(dir, "report.html")).ShouldContain("Phase timeline");
        File.ReadAllText(Path.Combine(dir, "report.md")).ShouldContain("| step publish |");
        Site.RuntimeFiles().ShouldAllBe(f => !f.Text.Contains(Site.SuperuserPassword));

        var last = await Site.HyopsAsync("blueprint", "drill-report", "--ref", DrillContent.Blueprint);
        last.ExitCode.ShouldBe(0, last.ToString());
        last.StdOut.ShouldContain(report["run_id"]!.GetValue<string>());
        last.StdOut.ShouldContain("RPO 0");
        var viaDrill = await Site.HyopsAsync("--output", "json", "blueprint", "drill", "--ref", DrillContent.Blueprint, "--last");
        viaDrill.ExitCode.ShouldBe(0, viaDrill.ToString());
        JsonNode.Parse(viaDrill.StdOut)!["run_id"]!.GetValue<string>().ShouldBe(report["run_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Drill_WithAnUnknownDisaster_IsRefusedBeforeAnythingRuns()
    {
        var r = await Site.HyopsAsync("blueprint", "drill", "--ref", DrillContent.Blueprint, "--disaster", "meteor");

        r.ExitCode.ShouldBe(2, r.ToString());
        r.StdErr.ShouldContain("HYO2030");
    }

    private async Task<HashSet<long>> IdsAsync(string loadId)
    {
        await using var conn = new NpgsqlConnection(Site.Endpoint("pg1").ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select id from hyops_drill.acks where load_id = $1", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = loadId });
        var ids = new HashSet<long>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}
