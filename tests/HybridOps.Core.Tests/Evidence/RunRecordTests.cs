using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Evidence;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Evidence;

public sealed class RunRecordTests : IDisposable
{
    private readonly TestRuntime t = new();

    public void Dispose() => t.Dispose();

    private async Task<string> DeployAndGetRecordAsync(string? instance = null)
    {
        var result = await t.RunModuleAsync(instance: instance, inputs: new JsonObject { ["message"] = "evidence" });
        return Path.Combine(result.RecordDir!, RunRecord.FileName);
    }

    private static List<JsonObject> Entries(string file) =>
        File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    [Fact]
    public async Task ModuleRun_WritesRecordUnderLogsModuleIdRunId_ThatVerifiesIntact()
    {
        var result = await t.RunModuleAsync();
        var file = Path.Combine(t.Root, "logs", "module", "test__engine__echo", result.RunId, "record.jsonl");

        result.RecordDir.ShouldBe(Path.GetDirectoryName(file));
        File.Exists(file).ShouldBeTrue();
        var verdict = RunRecordVerifier.Verify(file);
        verdict.Intact.ShouldBeTrue(verdict.Reason);
        verdict.Lines.ShouldBe(File.ReadAllLines(file).Length);
        verdict.FirstBrokenLine.ShouldBeNull();
    }

    [Fact]
    public async Task ModuleRun_OfAnInstance_WritesRecordUnderIdWithInstance()
    {
        var file = await DeployAndGetRecordAsync("blue");

        Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(file))).ShouldBe("test__engine__echo#blue");
        RunRecordVerifier.Verify(file).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task Record_ContainsMetaInputsOutputsAndResult()
    {
        var file = await DeployAndGetRecordAsync();

        var entries = Entries(file);
        var types = entries.Select(e => e["type"]!.GetValue<string>()).ToList();
        types[0].ShouldBe("meta");
        types.ShouldContain("inputs");
        types.ShouldContain("outputs");
        types[^1].ShouldBe("result");
        types.IndexOf("inputs").ShouldBeLessThan(types.IndexOf("outputs"));
        entries.Select(e => e["seq"]!.GetValue<long>()).ShouldBe(Enumerable.Range(1, entries.Count).Select(i => (long)i));

        var meta = entries[0]["data"]!;
        meta["module_ref"]!.GetValue<string>().ShouldBe(EchoHandler.Ref);
        meta["action"]!.GetValue<string>().ShouldBe("deploy");
        entries.Single(e => e["type"]!.GetValue<string>() == "inputs")["data"]!["values"]!["message"]!.GetValue<string>().ShouldBe("evidence");
        entries.Single(e => e["type"]!.GetValue<string>() == "outputs")["data"]!["published"]!["message"]!.GetValue<string>().ShouldBe("evidence");
        var result = entries[^1]["data"]!;
        result["status"]!.GetValue<string>().ShouldBe("ok");
        result["exit_code"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task Record_NotesOutputsThatWereNotPublished()
    {
        var file = await DeployAndGetRecordAsync();

        Entries(file).ShouldContain(e => e["type"]!.GetValue<string>() == "note"
            && e["data"]!["message"]!.GetValue<string>().Contains("unlisted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Record_WritesReadableInputsAndOutputsDocuments()
    {
        var file = await DeployAndGetRecordAsync();
        var dir = Path.GetDirectoryName(file)!;

        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "inputs.json")))!["message"]!.GetValue<string>().ShouldBe("evidence");
        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "outputs.json")))!["contract_version"]!.GetValue<string>().ShouldBe("echo/v1");
    }

    [Fact]
    public async Task FailedRun_RecordEndsWithErrorResultCarryingTheDiagnostic()
    {
        await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync(inputs: new JsonObject { ["fail_with"] = "HYO4002" }));

        var file = Directory.GetFiles(Path.Combine(t.Root, "logs", "module"), RunRecord.FileName, SearchOption.AllDirectories).ShouldHaveSingleItem();
        RunRecordVerifier.Verify(file).Intact.ShouldBeTrue();
        var result = Entries(file)[^1];
        result["type"]!.GetValue<string>().ShouldBe("result");
        result["data"]!["status"]!.GetValue<string>().ShouldBe("error");
        result["data"]!["exit_code"]!.GetValue<int>().ShouldBe((int)ExitCode.ConnectivityFailure);
        result["data"]!["diagnostics"]![0]!["code"]!.GetValue<string>().ShouldBe("HYO4002");
    }

    [Fact]
    public async Task EditingOneByteOfALine_IsDetected()
    {
        var file = await DeployAndGetRecordAsync();
        var bytes = await File.ReadAllBytesAsync(file);
        var inputsLine = Encoding.UTF8.GetString(bytes).IndexOf("\"evidence\"", StringComparison.Ordinal);
        inputsLine.ShouldBeGreaterThan(0);
        bytes[inputsLine + 1] = (byte)'E';
        await File.WriteAllBytesAsync(file, bytes);

        var verdict = RunRecordVerifier.Verify(file);

        verdict.Intact.ShouldBeFalse();
        verdict.FirstBrokenLine.ShouldBe(2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task EditingAByteAnywhereInTheFirstLines_IsDetected(int line)
    {
        var file = await DeployAndGetRecordAsync();
        var lines = await File.ReadAllLinesAsync(file);
        var chars = lines[line].ToCharArray();
        var at = chars.Length / 2;
        chars[at] = chars[at] == '0' ? '1' : '0';
        lines[line] = new string(chars);
        await File.WriteAllLinesAsync(file, lines);

        var verdict = RunRecordVerifier.Verify(file);

        verdict.Intact.ShouldBeFalse();
        verdict.FirstBrokenLine.ShouldBe(line + 1);
    }

    [Fact]
    public async Task DeletingALine_IsDetected()
    {
        var file = await DeployAndGetRecordAsync();
        var lines = (await File.ReadAllLinesAsync(file)).ToList();
        lines.Count.ShouldBeGreaterThan(3);
        lines.RemoveAt(1);
        await File.WriteAllLinesAsync(file, lines);

        var verdict = RunRecordVerifier.Verify(file);

        verdict.Intact.ShouldBeFalse();
        verdict.FirstBrokenLine.ShouldBe(2);
    }

    [Fact]
    public async Task CuttingOffTheResultLine_LeavesAnIncompleteRecord()
    {
        var file = await DeployAndGetRecordAsync();
        RunRecordVerifier.Verify(file).Complete.ShouldBeTrue();
        var lines = (await File.ReadAllLinesAsync(file)).ToList();
        lines.RemoveAt(lines.Count - 1);
        await File.WriteAllLinesAsync(file, lines);

        var verdict = RunRecordVerifier.Verify(file);

        verdict.Intact.ShouldBeTrue();
        verdict.Complete.ShouldBeFalse();
    }

    [Fact]
    public async Task ALineThatIsNotJson_IsReportedBrokenNotThrown()
    {
        var file = await DeployAndGetRecordAsync();
        var lines = (await File.ReadAllLinesAsync(file)).ToList();
        lines[1] = "{not json,\"hash\":\"" + new string('a', 64) + "\"}";
        await File.WriteAllLinesAsync(file, lines);

        var verdict = RunRecordVerifier.Verify(file);

        verdict.Intact.ShouldBeFalse();
        verdict.FirstBrokenLine.ShouldBe(2);
    }

    [Fact]
    public async Task ReorderingLines_IsDetected()
    {
        var file = await DeployAndGetRecordAsync();
        var lines = await File.ReadAllLinesAsync(file);
        (lines[1], lines[2]) = (lines[2], lines[1]);
        await File.WriteAllLinesAsync(file, lines);

        var verdict = RunRecordVerifier.Verify(file);

        verdict.Intact.ShouldBeFalse();
        verdict.FirstBrokenLine.ShouldBe(2);
    }

    [Fact]
    public async Task RecomputingTheHashOfAnEditedLine_StillBreaksTheChain()
    {
        var file = await DeployAndGetRecordAsync();
        var lines = await File.ReadAllLinesAsync(file);
        var marker = lines[1].LastIndexOf(",\"hash\":\"", StringComparison.Ordinal);
        var body = lines[1][..marker].Replace("evidence", "forgery!", StringComparison.Ordinal) + "}";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        lines[1] = body[..^1] + $",\"hash\":\"{hash}\"}}";
        await File.WriteAllLinesAsync(file, lines);

        var verdict = RunRecordVerifier.Verify(file);

        verdict.Intact.ShouldBeFalse();
        verdict.FirstBrokenLine.ShouldBe(3);
    }
}
