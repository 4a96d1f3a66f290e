using System.Text.Json.Nodes;
using HybridOps.Cli.Drill;
using HybridOps.Core.Evidence;
using HybridOps.Core.Tests.Evidence;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Cli;

/// <summary>`hyops evidence verify|export` and `hyops drill history` in-process: exit codes, text and --output json.</summary>
[Collection(CliCollection.Name)]
public sealed class EvidenceCliTests : IDisposable
{
    private readonly EvidenceChain c = new();

    public void Dispose() => c.Dispose();

    private Task<CliResult> RunAsync(params string[] args) =>
        CliRunner.RunAsync(new Dictionary<string, string> { ["HOME"] = c.T.Dir.Combine("home") }, [.. args, "--root", c.Root]);

    [Fact]
    public async Task EvidenceVerify_OfAnUntouchedRoot_Exits0_AndPrintsTheIndexHead()
    {
        await c.DeployAsync();

        var r = await RunAsync("evidence", "verify");

        r.ExitCode.ShouldBe(0, r.ToString());
        r.Stdout.ShouldStartWith("verified: ");
        r.Stdout.ShouldContain("3 runs, 0 drill reports checked, 0 failures");
        r.Stdout.ShouldContain("index head: seq 6 hash ");
    }

    [Fact]
    public async Task EvidenceVerify_AfterOneRunWasDeletedAndAnotherEdited_Exits14WithHYO7201_NamingBoth()
    {
        var run = await c.DeployAsync();
        var removed = c.ModuleDir(run, "first");
        Directory.Delete(removed, recursive: true);
        EvidenceChain.EditLine(Path.Combine(c.ModuleDir(run, "second"), RunRecord.FileName), 2, "\"two\"", "\"2\"");

        var text = await RunAsync("evidence", "verify");
        var json = await RunAsync("evidence", "verify", "--output", "json");

        text.ExitCode.ShouldBe(14, text.ToString());
        text.Stderr.ShouldContain("error HYO7201");
        text.Stdout.ShouldContain($"removed   run module test__engine__echo#first run {Path.GetFileName(removed)}");
        text.Stdout.ShouldContain($"edited    run module test__engine__echo#second run {Path.GetFileName(c.ModuleDir(run, "second"))}: record.jsonl line 2");
        json.ExitCode.ShouldBe(14);
        var doc = JsonNode.Parse(json.Stdout)!;
        doc["diagnostics"]![0]!["code"]!.GetValue<string>().ShouldBe("HYO7201");
        doc["failures"]!.GetValue<int>().ShouldBe(2);
        doc["findings"]!.AsArray().Select(f => f!["status"]!.GetValue<string>()).ShouldBe(["removed", "edited"], ignoreOrder: true);
    }

    [Fact]
    public async Task EvidenceExport_ThenVerifyBundle_Exits0_AndAnEditedBundleExits14()
    {
        var run = await c.DeployAsync();
        var file = c.T.Dir.Combine("audit", "run.tar.gz");

        var export = await RunAsync("evidence", "export", "--run", run.RunId, "--out", file, "--output", "json");
        var verify = await RunAsync("evidence", "verify", "--bundle", file);

        export.ExitCode.ShouldBe(0, export.ToString());
        var doc = JsonNode.Parse(export.Stdout)!;
        doc["status"]!.GetValue<string>().ShouldBe("exported");
        doc["bundle"]!.GetValue<string>().ShouldBe(file);
        doc["runs"]!.AsArray().Count.ShouldBe(3);
        verify.ExitCode.ShouldBe(0, verify.ToString());
        verify.Stdout.ShouldStartWith($"verified: {file}: 3 runs");

        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(file, bytes);
        var broken = await RunAsync("evidence", "verify", "--bundle", file);
        broken.ExitCode.ShouldNotBe(0, broken.ToString());
        broken.Stderr.ShouldMatch("HYO720[12]");
    }

    [Fact]
    public async Task EvidenceExport_DefaultsToTheRootsExportsDirectory()
    {
        var run = await c.DeployAsync();

        var r = await RunAsync("evidence", "export", "--run", run.RunId);

        r.ExitCode.ShouldBe(0, r.ToString());
        File.Exists(Path.Combine(c.Root, "exports", $"evidence-{run.RunId}.tar.gz")).ShouldBeTrue();
    }

    [Theory]
    [InlineData("evidence", "export", "--run", "../x")]
    [InlineData("evidence", "verify", "--expect-head", "abc")]
    public async Task EvidenceCommands_WithABadOption_Exit2WithHYO7205(params string[] args)
    {
        await c.DeployAsync();

        var r = await RunAsync(args);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO7205");
    }

    [Theory]
    [InlineData("evidence", "verify")]
    [InlineData("evidence", "export")]
    [InlineData("drill", "history")]
    public async Task Help_DescribesTheCommandAndItsOptions(params string[] args)
    {
        var r = await RunAsync([.. args, "--help"]);

        r.ExitCode.ShouldBe(0, r.ToString());
        r.Stdout.ShouldContain("Usage:");
        r.Stdout.ShouldContain(args[1] switch { "verify" => "--bundle", "export" => "--run", _ => "--ref" });
    }

    [Fact]
    public async Task DrillHistory_WithJsonOutput_ListsDrillsWithTheirTrend()
    {
        var t0 = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
        DrillReports.Write(c.Root, c.T.Redactor, TimeProvider.System, TestDrillReport.Make(c.Root, "dr/a@v1", "d1", t0, 10));
        DrillReports.Write(c.Root, c.T.Redactor, TimeProvider.System, TestDrillReport.Make(c.Root, "dr/a@v1", "d2", t0.AddDays(1), 12.25));

        var json = await RunAsync("drill", "history", "--ref", "dr/a@v1", "--output", "json");
        var text = await RunAsync("drill", "history");

        json.ExitCode.ShouldBe(0, json.ToString());
        var drills = JsonNode.Parse(json.Stdout)!["drills"]!.AsArray();
        drills.Count.ShouldBe(2);
        drills[1]!["rto_seconds"]!.GetValue<double>().ShouldBe(12.25);
        drills[1]!["trend"]!["rto_delta_seconds"]!.GetValue<double>().ShouldBe(2.25);
        drills[1]!["trend"]!["rto"]!.GetValue<string>().ShouldBe("slower");
        text.Stdout.ShouldContain("d2");
        text.Stdout.ShouldContain("+2.250");
    }
}
