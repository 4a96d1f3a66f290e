using System.Text.Json.Nodes;
using HybridOps.Core.Evidence;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Evidence;

/// <summary>`hyops evidence verify` on a runtime root: runs chained across runs through the evidence index (logs/index/).</summary>
public sealed class EvidenceVerifyTests : IDisposable
{
    private readonly EvidenceChain c = new();

    public void Dispose() => c.Dispose();

    /// <summary>The index's one segment (these roots hold far fewer lines than a segment).</summary>
    private string IndexFile => EvidenceIndex.Segments(c.Root).ShouldHaveSingleItem();

    [Fact]
    public async Task EveryRun_IsOpenedAndSealedInTheIndex_WithItsRecordsFinalHead()
    {
        var run = await c.DeployAsync();

        var entries = EvidenceIndex.Read(c.Root);
        entries.Select(e => e.Type).ShouldBe(["open", "open", "seal", "open", "seal", "seal"]); // the blueprint's record stays open across its steps
        RunRecordVerifier.Verify(IndexFile).Intact.ShouldBeTrue();
        var blueprintSeal = entries.Last(e => e.Type == "seal");
        blueprintSeal.RunId.ShouldBe(run.RunId);
        var record = RunRecordVerifier.Verify(Path.Combine(run.RecordDir!, RunRecord.FileName));
        blueprintSeal.Text("head").ShouldBe(record.Head);
        blueprintSeal.Long("lines").ShouldBe(record.Lines);
        var moduleSeal = entries.First(e => e.Type == "seal");
        moduleSeal.Files().Keys.ShouldBe(["inputs.json", "outputs.json"]);
    }

    [Fact]
    public async Task AnUntouchedRoot_Verifies()
    {
        await c.DeployAsync();
        await c.DeployAsync();

        var report = EvidenceVerifier.Verify(c.Root);

        report.Status.ShouldBe("verified", string.Join("\n", report.Findings));
        report.Passed.ShouldBeTrue();
        report.RunsChecked.ShouldBe(6);
        report.Findings.ShouldBeEmpty();
        report.HeadSeq.ShouldBe(12);
    }

    [Fact]
    public async Task DeletingOneRunDirectory_AndEditingOneLineOfAnother_NamesBoth()
    {
        var run = await c.DeployAsync();
        var removed = c.ModuleDir(run, "first");
        var edited = c.ModuleDir(run, "second");
        Directory.Delete(removed, recursive: true);
        EvidenceChain.EditLine(Path.Combine(edited, RunRecord.FileName), 2, "\"two\"", "\"TWO\"");

        var report = EvidenceVerifier.Verify(c.Root);

        report.Passed.ShouldBeFalse();
        report.Failures.Count().ShouldBe(2);
        var gone = report.Failures.Single(f => f.Status == "removed");
        gone.Name.ShouldBe($"module test__engine__echo#first run {Path.GetFileName(removed)}");
        var changed = report.Failures.Single(f => f.Status == "edited");
        changed.Name.ShouldBe($"module test__engine__echo#second run {Path.GetFileName(edited)}");
        changed.Detail.ShouldContain("line 2: content does not match its hash");
    }

    [Fact]
    public async Task SwappingTwoRunDirectories_IsReportedAsMoved_ForBoth()
    {
        var run = await c.DeployAsync();
        var a = Path.Combine(c.ModuleDir(run, "first"), RunRecord.FileName);
        var b = Path.Combine(c.ModuleDir(run, "second"), RunRecord.FileName);
        var textA = File.ReadAllText(a);
        File.WriteAllText(a, File.ReadAllText(b));
        File.WriteAllText(b, textA);

        var report = EvidenceVerifier.Verify(c.Root);

        report.Failures.Select(f => f.Status).ShouldBe(["moved", "moved"]);
        report.Failures.ShouldContain(f => f.Name.Contains("#first", StringComparison.Ordinal) && f.Detail.Contains("#second", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CuttingOffTheResultLine_IsReportedAsTruncated()
    {
        var run = await c.DeployAsync();
        var file = Path.Combine(run.RecordDir!, RunRecord.FileName);
        var lines = File.ReadAllLines(file);
        File.WriteAllLines(file, lines[..^1]);

        var finding = EvidenceVerifier.Verify(c.Root).Failures.ShouldHaveSingleItem();

        finding.Status.ShouldBe("edited");
        finding.Subject.ShouldBe("run");
        finding.Detail.ShouldBe($"truncated: {lines.Length - 1} of the {lines.Length} sealed lines");
    }

    [Fact]
    public async Task EditingADocumentBesideTheRecord_IsReportedWithTheFileName()
    {
        var run = await c.DeployAsync();
        var outputs = Path.Combine(c.ModuleDir(run, "first"), "outputs.json");
        File.WriteAllText(outputs, File.ReadAllText(outputs).Replace("one", "eno", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(c.ModuleDir(run, "second"), "extra.json"), "{}");

        var failures = EvidenceVerifier.Verify(c.Root).Failures.ToList();

        failures.Count.ShouldBe(2);
        failures.ShouldContain(f => f.Detail == "outputs.json changed");
        failures.ShouldContain(f => f.Detail == "extra.json added after the seal");
    }

    [Fact]
    public async Task ARunDirectoryAddedOutsideHyops_IsUnindexed()
    {
        var run = await c.DeployAsync();
        var copy = Path.Combine(c.Root, "logs", "module", "test__engine__echo#first", "20261201T000000Z-forged");
        Directory.CreateDirectory(copy);
        File.Copy(Path.Combine(c.ModuleDir(run, "first"), RunRecord.FileName), Path.Combine(copy, RunRecord.FileName));

        var finding = EvidenceVerifier.Verify(c.Root).Failures.ShouldHaveSingleItem();

        finding.Status.ShouldBe("unindexed");
        finding.Name.ShouldEndWith("20261201T000000Z-forged");
    }

    [Fact]
    public async Task EditingOrReorderingIndexLines_IsReported()
    {
        await c.DeployAsync();
        var lines = File.ReadAllLines(IndexFile);
        (lines[1], lines[2]) = (lines[2], lines[1]);
        File.WriteAllLines(IndexFile, lines);

        var finding = EvidenceVerifier.Verify(c.Root).Failures.ShouldHaveSingleItem();

        finding.Subject.ShouldBe("index");
        finding.Detail.ShouldStartWith("line 2 (000001.jsonl line 2): ");
    }

    [Fact]
    public async Task AKilledRun_IsUnsealed_AndTheNextRunChainsOn()
    {
        await c.DeployAsync();
        var killed = new RunRecord(c.Root, "module", "test__engine__echo#killed", "20261201T000000Z-killed", c.T.Redactor, TimeProvider.System);
        killed.Append("meta", new JsonObject { ["module_ref"] = "test/engine/echo" }); // ... and SIGKILL: no result line

        await c.DeployAsync();
        var report = EvidenceVerifier.Verify(c.Root);

        report.Passed.ShouldBeTrue(string.Join("\n", report.Findings));
        var note = report.Findings.ShouldHaveSingleItem();
        note.Status.ShouldBe("unsealed");
        note.Name.ShouldEndWith("20261201T000000Z-killed");
        RunRecordVerifier.Verify(IndexFile).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task ConcurrentRuns_AllLandInOneIntactIndex()
    {
        await c.T.RunModuleAsync();

        // status takes no root lock: these run at once and share the index through its own lock
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => c.T.RunModuleAsync("status"))));

        RunRecordVerifier.Verify(IndexFile).Intact.ShouldBeTrue();
        EvidenceIndex.Read(c.Root).Count(e => e.Type == "seal").ShouldBe(9);
        EvidenceVerifier.Verify(c.Root).Status.ShouldBe("verified");
    }

    [Fact]
    public async Task AnOldRootWithoutTheIndex_VerifiesAsUnchained_NotAsTampered()
    {
        await c.DeployAsync();
        Directory.Delete(EvidenceIndex.DirIn(c.Root), recursive: true);

        var report = EvidenceVerifier.Verify(c.Root);

        report.Passed.ShouldBeTrue();
        report.Status.ShouldBe("unchained");
        report.Findings.Length.ShouldBe(3);
        report.Findings.ShouldAllBe(f => f.Status == "unchained");
        EvidenceVerifier.Verify(c.Root, requireChain: true).Passed.ShouldBeFalse();
    }

    [Fact]
    public async Task AnOldRootsRecords_AreAdoptedByTheFirstRunAfterTheUpgrade_AndThenChained()
    {
        var old = await c.DeployAsync();
        Directory.Delete(EvidenceIndex.DirIn(c.Root), recursive: true);

        await c.T.RunModuleAsync();
        var entries = EvidenceIndex.Read(c.Root);
        entries.Count(e => e.Type == "adopt").ShouldBe(3);
        EvidenceVerifier.Verify(c.Root).Status.ShouldBe("verified");

        Directory.Delete(old.RecordDir!, recursive: true);
        var finding = EvidenceVerifier.Verify(c.Root).Failures.ShouldHaveSingleItem();
        finding.Status.ShouldBe("removed");
        finding.Name.ShouldBe($"blueprint test__evidence@v1 run {old.RunId}");
    }

    [Fact]
    public async Task CuttingTheIndexBackToAnEarlierHead_IsCaughtByTheRecordedHead()
    {
        await c.DeployAsync();
        var lines = File.ReadAllLines(IndexFile);
        await c.DeployAsync();
        var head = EvidenceVerifier.Verify(c.Root).HeadHash!;

        // remove the last run and its index lines: the shorter chain is intact on its own ...
        File.WriteAllLines(IndexFile, lines);
        var runs = EvidenceIndex.Read(c.Root).Select(e => e.RunId).ToHashSet();
        foreach (var dir in Directory.GetDirectories(Path.Combine(c.Root, "logs"), "*", SearchOption.AllDirectories)
            .Where(d => File.Exists(Path.Combine(d, RunRecord.FileName)) && !runs.Contains(Path.GetFileName(d))))
        {
            Directory.Delete(dir, recursive: true);
        }

        EvidenceVerifier.Verify(c.Root).Passed.ShouldBeTrue();

        // ... but not to an auditor who kept the head
        var finding = EvidenceVerifier.Verify(c.Root, expectHead: head).Failures.ShouldHaveSingleItem();
        finding.Subject.ShouldBe("index");
        finding.Detail.ShouldContain(head);
    }
}
