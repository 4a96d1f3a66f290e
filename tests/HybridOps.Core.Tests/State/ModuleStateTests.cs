using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.State;

public sealed class ModuleStateTests : IDisposable
{
    private readonly TestRuntime t = new();

    public void Dispose() => t.Dispose();

    private string StateDir => Path.Combine(t.Root, "state", "modules", "test__engine__echo");

    private ModuleState ReadLatest() => t.States.Read(EchoHandler.Ref, null).ShouldNotBeNull();

    [Fact]
    public async Task Deploy_WritesRunningBeforeTheHandlerRuns_AndOkAfter()
    {
        var result = await t.RunModuleAsync();

        t.Echo.StatusSeenDuringRun.ShouldBe(StateStatus.Running);
        result.Status.ShouldBe(StateStatus.Ok);
        result.ExitCode.ShouldBe(ExitCode.Success);
        result.StatePath.ShouldBe(Path.Combine(StateDir, "latest.json"));
        var state = ReadLatest();
        state.Status.ShouldBe(StateStatus.Ok);
        state.Action.ShouldBe("deploy");
        state.RunId.ShouldBe(result.RunId);
        state.InputsHash.ShouldBe(result.InputsHash);
        state.Error.ShouldBeNull();
    }

    [Fact]
    public async Task Deploy_OfAnInstance_WritesInstancesFile()
    {
        await t.RunModuleAsync(instance: "blue");

        File.Exists(Path.Combine(StateDir, "instances", "blue.json")).ShouldBeTrue();
        File.Exists(Path.Combine(StateDir, "latest.json")).ShouldBeFalse();
        t.States.Read(EchoHandler.Ref, "blue")!.Instance.ShouldBe("blue");
    }

    [Fact]
    public async Task Deploy_WithInvalidInstanceName_ReportsHYO2009AndWritesNothing()
    {
        var ex = await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync(instance: "Bad Name"));

        ex.Diagnostics[0].Code.ShouldBe("HYO2009");
        Directory.Exists(t.Root).ShouldBeFalse();
    }

    [Fact]
    public async Task StateWrites_AreAtomic_LeavingNoTempFiles()
    {
        await t.RunModuleAsync();
        await t.RunModuleAsync(inputs: new JsonObject { ["message"] = "again" });
        await t.RunModuleAsync("destroy");

        Directory.EnumerateFiles(t.Root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".tmp", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith('.'))
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task ReplacingState_KeepsThePreviousContentUnderHistory()
    {
        var first = await t.RunModuleAsync(inputs: new JsonObject { ["message"] = "first" });
        var firstContent = await File.ReadAllTextAsync(Path.Combine(StateDir, "latest.json"));

        var second = await t.RunModuleAsync(inputs: new JsonObject { ["message"] = "second" });

        var history = Directory.GetFiles(Path.Combine(StateDir, "history"));
        history.Length.ShouldBe(1); // the transient `running` write is not kept
        Path.GetFileName(history[0]).ShouldBe($"latest.{first.RunId}.json");
        (await File.ReadAllTextAsync(history[0])).ShouldBe(firstContent);
        ReadLatest().RunId.ShouldBe(second.RunId);
        ReadLatest().Outputs["message"]!.GetValue<string>().ShouldBe("second");
    }

    [Fact]
    public async Task Deploy_WithPartialOutcome_WritesPartialWithItsDiagnostic()
    {
        var result = await t.RunModuleAsync(inputs: new JsonObject { ["outcome"] = "partial" });

        result.Status.ShouldBe(StateStatus.Partial);
        result.ExitCode.ShouldBe(ExitCode.PartialCompletion);
        var state = ReadLatest();
        state.Status.ShouldBe(StateStatus.Partial);
        state.Error.ShouldNotBeNull().Code.ShouldBe("HYO6004");
        state.Outputs["message"]!.GetValue<string>().ShouldBe("hello");
    }

    [Fact]
    public async Task Destroy_WritesDestroyed()
    {
        await t.RunModuleAsync();

        var result = await t.RunModuleAsync("destroy");

        result.Status.ShouldBe(StateStatus.Destroyed);
        t.Echo.StatusSeenDuringRun.ShouldBe(StateStatus.Running);
        ReadLatest().Status.ShouldBe(StateStatus.Destroyed);
        ReadLatest().Action.ShouldBe("destroy");
    }

    [Fact]
    public async Task HandlerThrowingHyopsException_LeavesStatusErrorWithTheCode_AndRethrows()
    {
        var ex = await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync(inputs: new JsonObject { ["fail_with"] = "HYO5003" }));

        ex.Diagnostics[0].Code.ShouldBe("HYO5003");
        ex.ExitCode.ShouldBe(ExitCode.ConfigurationFailure);
        t.Echo.StatusSeenDuringRun.ShouldBe(StateStatus.Running);
        var state = ReadLatest();
        state.Status.ShouldBe(StateStatus.Error);
        state.Error.ShouldNotBeNull().Code.ShouldBe("HYO5003");
        state.Error.Message.ShouldContain("on purpose");
        state.Outputs.ShouldBeEmpty();
    }

    [Fact]
    public async Task FailedDestroy_KeepsWhatItWasDestroyingPublished_WithStatusError()
    {
        await t.RunModuleAsync(inputs: new JsonObject { ["message"] = "the cluster" });

        await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync("destroy", inputs: new JsonObject { ["message"] = "the cluster", ["fail_with"] = "HYO5003" }));

        var state = ReadLatest();
        state.Status.ShouldBe(StateStatus.Error);
        state.Action.ShouldBe("destroy");
        state.Error.ShouldNotBeNull().Code.ShouldBe("HYO5003");
        state.Outputs["message"]!.GetValue<string>().ShouldBe("the cluster");
        state.Outputs["action"]!.GetValue<string>().ShouldBe("deploy");
    }

    [Fact]
    public async Task HandlerValidateFailure_ChangesNoState()
    {
        await t.RunModuleAsync();
        var before = TempDir.Snapshot(Path.Combine(t.Root, "state"));

        var ex = await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync(inputs: new JsonObject { ["reject"] = true }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2003");
        TempDir.Snapshot(Path.Combine(t.Root, "state")).ShouldBe(before);
    }

    [Fact]
    public async Task OutputNotInPublishList_IsNotPublished()
    {
        var result = await t.RunModuleAsync();

        result.Outputs.ContainsKey("unlisted").ShouldBeFalse();
        ReadLatest().Outputs.ContainsKey("unlisted").ShouldBeFalse();
        ReadLatest().Outputs["message"]!.GetValue<string>().ShouldBe("hello");
        ReadLatest().Outputs["action"]!.GetValue<string>().ShouldBe("deploy");
        (await File.ReadAllTextAsync(Path.Combine(StateDir, "latest.json"))).ShouldNotContain("must-not-be-published");
    }

    [Fact]
    public async Task ContractVersion_FromTheSpec_IsPublished()
    {
        var result = await t.RunModuleAsync();

        result.Outputs["contract_version"]!.GetValue<string>().ShouldBe("echo/v1");
        ReadLatest().ContractVersion.ShouldBe("echo/v1");
        ReadLatest().Outputs["contract_version"]!.GetValue<string>().ShouldBe("echo/v1");
    }

    [Fact]
    public async Task StatusAction_WritesNoState()
    {
        var result = await t.RunModuleAsync("status");

        result.Status.ShouldBe(StateStatus.Ok);
        t.Echo.StatusSeenDuringRun.ShouldBe("absent");
        Directory.Exists(Path.Combine(t.Root, "state")).ShouldBeFalse();
    }

    [Fact]
    public async Task StatusAction_LeavesPublishedStateUntouched()
    {
        await t.RunModuleAsync();
        var before = TempDir.Snapshot(Path.Combine(t.Root, "state"));

        await t.RunModuleAsync("status");
        await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync("status", inputs: new JsonObject { ["fail_with"] = "HYO4001" }));

        TempDir.Snapshot(Path.Combine(t.Root, "state")).ShouldBe(before);
        t.Echo.StatusSeenDuringRun.ShouldBe(StateStatus.Ok);
    }

    [Fact]
    public async Task UnknownAction_ReportsHYO1012AndWritesNothing()
    {
        var ex = await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync("explode"));

        ex.Diagnostics[0].Code.ShouldBe("HYO1012");
        Directory.Exists(t.Root).ShouldBeFalse();
    }

    [Fact]
    public void CorruptStateFile_ReportsHYO2010()
    {
        var path = t.States.PathOf(EchoHandler.Ref, null);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{ not json");

        Should.Throw<HyopsException>(() => t.States.Read(EchoHandler.Ref, null)).Diagnostics[0].Code.ShouldBe("HYO2010");
    }
}
