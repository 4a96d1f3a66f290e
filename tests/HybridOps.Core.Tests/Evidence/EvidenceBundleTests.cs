using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using HybridOps.Cli.Drill;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Evidence;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Evidence;

/// <summary>`hyops evidence export --run ID` and `hyops evidence verify --bundle FILE`: one bundle, verified offline.</summary>
public sealed class EvidenceBundleTests : IDisposable
{
    private readonly EvidenceChain c = new();

    public void Dispose() => c.Dispose();

    private string BundleFile => c.T.Dir.Combine("out", "bundle.tar.gz");

    private async Task<(HybridOps.Core.Engine.BlueprintRunResult Run, string DrillRun)> DrilledRunAsync()
    {
        await c.DeployAsync(); // history before the exported run
        var run = await c.DeployAsync();
        var drill = TestDrillReport.Make(c.Root, EvidenceChain.BlueprintRef, "20261201T100000Z-d1", DateTimeOffset.UnixEpoch.AddYears(56), 4.5, blueprintRunId: run.RunId);
        DrillReports.Write(c.Root, c.T.Redactor, TimeProvider.System, drill);
        return (run, drill.RunId);
    }

    /// <summary>Unpacks the bundle, lets <paramref name="change"/> edit the tree, packs it again in place.</summary>
    private void Repack(Action<string> change)
    {
        var dir = c.T.Dir.Combine("unpacked");
        Directory.CreateDirectory(dir);
        using (var gz = new GZipStream(File.OpenRead(BundleFile), CompressionMode.Decompress))
        {
            TarFile.ExtractToDirectory(gz, dir, overwriteFiles: true);
        }

        change(dir);
        using var outGz = new GZipStream(File.Create(BundleFile), CompressionLevel.Fastest);
        TarFile.CreateFromDirectory(dir, outGz, includeBaseDirectory: false);
    }

    [Fact]
    public async Task ExportOfABlueprintRun_CarriesItsModuleRunsAndDrillReport_AndVerifiesOffline()
    {
        var (run, drillRun) = await DrilledRunAsync();

        var exported = EvidenceBundle.Export(c.Root, run.RunId, BundleFile, TimeProvider.System);
        Directory.Delete(c.Root, recursive: true); // offline: nothing of the root is needed
        var report = BundleVerifier.Verify(BundleFile);

        exported.Subject.Runs.Select(r => r.RunId).ShouldBe([run.RunId, .. run.Steps.Select(s => s.RunId!)], ignoreOrder: true);
        exported.Subject.Drills.Keys.ShouldBe([drillRun]);
        report.Status.ShouldBe("verified", string.Join("\n", report.Findings));
        report.RunsChecked.ShouldBe(3);
        report.DrillsChecked.ShouldBe(1);
        report.HeadHash.ShouldBe(exported.HeadHash);
    }

    [Fact]
    public async Task ExportByTheDrillRunId_BringsItsBlueprintRun()
    {
        var (run, drillRun) = await DrilledRunAsync();

        var exported = EvidenceBundle.Export(c.Root, drillRun, BundleFile, TimeProvider.System);

        exported.Subject.Runs.Count.ShouldBe(3);
        exported.Subject.Runs[0].RunId.ShouldBe(run.RunId);
        BundleVerifier.Verify(BundleFile).Passed.ShouldBeTrue();
    }

    [Fact]
    public async Task AnEditedExport_DoesNotVerify_AndNamesTheRun()
    {
        var (run, _) = await DrilledRunAsync();
        EvidenceBundle.Export(c.Root, run.RunId, BundleFile, TimeProvider.System);
        var step = run.Steps.Single(s => s.Id == "second").RunId!;

        Repack(dir => EvidenceChain.EditLine(Path.Combine(dir, "logs", "module", "test__engine__echo#second", step, RunRecord.FileName), 2, "\"two\"", "\"TWO\""));
        var report = BundleVerifier.Verify(BundleFile);

        report.Passed.ShouldBeFalse();
        report.Failures.ShouldContain(f => f.Subject == "run" && f.Status == "edited" && f.Name == $"module test__engine__echo#second run {step}");
        report.Failures.ShouldContain(f => f.Subject == "bundle" && f.Status == "edited");
    }

    [Fact]
    public async Task AnEditedDrillReportInTheExport_DoesNotVerify()
    {
        var (run, drillRun) = await DrilledRunAsync();
        EvidenceBundle.Export(c.Root, run.RunId, BundleFile, TimeProvider.System);

        Repack(dir =>
        {
            var report = Path.Combine(dir, "drills", "test__evidence@v1", drillRun, "report.json");
            File.WriteAllText(report, File.ReadAllText(report).Replace("\"status\": \"ok\"", "\"status\": \"OK\"", StringComparison.Ordinal));
        });

        BundleVerifier.Verify(BundleFile).Failures.ShouldContain(f => f.Subject == "drill" && f.Detail == "report.json changed");
    }

    [Fact]
    public async Task ABundleStrippedOfItsIndex_FailsAsChainedPerItsManifest_OrUnderRequireChain()
    {
        var (run, _) = await DrilledRunAsync();
        EvidenceBundle.Export(c.Root, run.RunId, BundleFile, TimeProvider.System);

        Repack(dir => Directory.Delete(EvidenceIndex.DirIn(dir), recursive: true));
        BundleVerifier.Verify(BundleFile).Failures.ShouldContain(f => f.Subject == "index" && f.Status == "removed");

        Repack(dir =>
        {
            var manifest = Path.Combine(dir, EvidenceBundle.ManifestFile);
            var m = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
            m["chained"] = false;
            m["files"]!.AsObject().Remove(EvidenceIndex.RelativeDir + "/000001.jsonl");
            File.WriteAllText(manifest, m.ToJsonString());
        });
        BundleVerifier.Verify(BundleFile).Status.ShouldBe("unchained"); // never "verified": an auditor asks for that, or:
        BundleVerifier.Verify(BundleFile, requireChain: true).Passed.ShouldBeFalse();
    }

    [Fact]
    public async Task ABundleWithAPathEscapingItsDirectory_IsRefusedWithHYO7202()
    {
        await c.DeployAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(BundleFile)!);
        using (var gz = new GZipStream(File.Create(BundleFile), CompressionLevel.Fastest))
        using (var tar = new TarWriter(gz))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "../escaped.txt") { DataStream = new MemoryStream([1]) });
        }

        var ex = Should.Throw<HyopsException>(() => BundleVerifier.Verify(BundleFile));

        ex.Diagnostics[0].Code.ShouldBe("HYO7202");
        File.Exists(Path.Combine(Path.GetTempPath(), "escaped.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task ExportOfAnUnknownRunId_FailsWithHYO7203_AndWritesNothing()
    {
        await c.DeployAsync();

        var ex = Should.Throw<HyopsException>(() => EvidenceBundle.Export(c.Root, "20200101T000000Z-000000", BundleFile, TimeProvider.System));

        ex.Diagnostics[0].Code.ShouldBe("HYO7203");
        File.Exists(BundleFile).ShouldBeFalse();
    }

    [Fact]
    public async Task TheManifest_ListsEveryFileWithItsHash_AndTheIndexHead()
    {
        var (run, _) = await DrilledRunAsync();
        var exported = EvidenceBundle.Export(c.Root, run.RunId, BundleFile, TimeProvider.System);
        JsonObject? manifest = null;

        Repack(dir => manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, EvidenceBundle.ManifestFile)))!.AsObject());

        manifest!["kind"]!.GetValue<string>().ShouldBe(EvidenceBundle.Kind);
        manifest["index"]!["head_hash"]!.GetValue<string>().ShouldBe(exported.HeadHash);
        var files = manifest["files"]!.AsObject().Select(f => f.Key).ToList();
        files.ShouldContain("logs/index/000001.jsonl");
        files.ShouldContain($"logs/blueprint/test__evidence@v1/{run.RunId}/record.jsonl");
        files.ShouldContain(f => f.StartsWith("drills/test__evidence@v1/", StringComparison.Ordinal) && f.EndsWith("/report.html", StringComparison.Ordinal));
        files.Count.ShouldBe(exported.Files - 1);
    }
}
