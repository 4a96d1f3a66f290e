using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Core.Evidence;
using HybridOps.Core.Runtime;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Engine;

public sealed class BlueprintEngineTests : IDisposable
{
    private const string Ref = "test/chain@v1";

    private readonly TestRuntime t = new();

    public void Dispose() => t.Dispose();

    /// <summary>Three echo instances; written out of order so only `requires` makes them run first, second, third.</summary>
    private void WriteChain(string extraThird = "", string extraSecond = "", string policy = "", string skipFirst = "false") => t.WriteBlueprint(Ref, $"""
        api_version: hybridops/v1
        kind: BlueprintSpec
        blueprint_ref: "{Ref}"
        {policy}
        steps:
          - id: third
            module_ref: "test/engine/echo"
            state_instance: "third"
            requires: [second]
            inputs:
              message: "3"
              {extraThird}
          - id: first
            module_ref: "test/engine/echo"
            state_instance: "first"
            skip_if_state_ok: {skipFirst}
            inputs:
              message: "1"
          - id: second
            module_ref: "test/engine/echo"
            state_instance: "second"
            requires: [first]
            inputs:
              message: "2"
              {extraSecond}
        """);

    [Fact]
    public async Task BlueprintSteps_RunInDependencyOrder()
    {
        WriteChain();

        var result = await t.DeployBlueprintAsync(Ref);

        t.Echo.Calls.ShouldBe(["first:deploy", "second:deploy", "third:deploy"]);
        result.Status.ShouldBe(StateStatus.Ok);
        result.ExitCode.ShouldBe(ExitCode.Success);
        result.Steps.Select(s => (s.Id, s.Status)).ShouldBe([("first", "ok"), ("second", "ok"), ("third", "ok")]);
        foreach (var instance in new[] { "first", "second", "third" })
        {
            t.States.Read(EchoHandler.Ref, instance)!.Status.ShouldBe(StateStatus.Ok);
        }
    }

    [Fact]
    public async Task FailingStep_StopsTheRun_LaterStepsAreNotRun_AndExitCodeIsTheFailingStepsCode()
    {
        WriteChain(extraSecond: "fail_with: \"HYO5001\"");

        var result = await t.DeployBlueprintAsync(Ref);

        t.Echo.Calls.ShouldBe(["first:deploy", "second:deploy"]);
        result.Status.ShouldBe(StateStatus.Error);
        result.ExitCode.ShouldBe(ExitCode.ConfigurationFailure);
        result.Steps.Select(s => (s.Id, s.Status)).ShouldBe([("first", "ok"), ("second", "error"), ("third", "not_run")]);
        result.Steps[1].Reason.ShouldNotBeNull().ShouldContain("HYO5001");
        result.Diagnostics.ShouldContain(d => d.Code == "HYO5001");
        t.States.Read(EchoHandler.Ref, "second")!.Status.ShouldBe(StateStatus.Error);
        t.States.Read(EchoHandler.Ref, "third").ShouldBeNull();
    }

    [Fact]
    public async Task FailingStep_WithFailFastOff_LetsLaterStepsRun()
    {
        WriteChain(extraSecond: "fail_with: \"HYO5001\"", policy: "policy:\n  fail_fast: false");

        var result = await t.DeployBlueprintAsync(Ref);

        t.Echo.Calls.ShouldBe(["first:deploy", "second:deploy", "third:deploy"]);
        result.ExitCode.ShouldBe(ExitCode.ConfigurationFailure);
    }

    [Fact]
    public async Task PartialStep_MakesTheBlueprintPartial_WithPartialCompletionExit()
    {
        WriteChain(extraThird: "outcome: \"partial\"");

        var result = await t.DeployBlueprintAsync(Ref);

        result.Status.ShouldBe(StateStatus.Partial);
        result.ExitCode.ShouldBe(ExitCode.PartialCompletion);
    }

    [Fact]
    public async Task SkipIfStateOk_SkipsWhenStateOkAndInputsUnchanged_RunsAgainWhenAnInputChanges()
    {
        WriteChain(skipFirst: "true");

        await t.DeployBlueprintAsync(Ref);
        var second = await t.DeployBlueprintAsync(Ref);

        t.Echo.Calls.Count(c => c == "first:deploy").ShouldBe(1);
        second.Steps.Single(s => s.Id == "first").Status.ShouldBe("skipped");
        second.Steps.Single(s => s.Id == "second").Status.ShouldBe("ok"); // not marked skip_if_state_ok

        var third = await t.DeployBlueprintAsync(Ref, new JsonObject { ["first"] = new JsonObject { ["message"] = "changed" } });

        t.Echo.Calls.Count(c => c == "first:deploy").ShouldBe(2);
        third.Steps.Single(s => s.Id == "first").Status.ShouldBe("ok");
        t.States.Read(EchoHandler.Ref, "first")!.Outputs["message"]!.GetValue<string>().ShouldBe("changed");
    }

    [Fact]
    public async Task SkipIfStateOk_RunsWhenStateIsNotOk()
    {
        WriteChain(skipFirst: "true");
        await t.DeployBlueprintAsync(Ref);
        var state = t.States.Read(EchoHandler.Ref, "first")!;
        t.States.Write(state with { Status = StateStatus.Error });

        var again = await t.DeployBlueprintAsync(Ref);

        again.Steps.Single(s => s.Id == "first").Status.ShouldBe("ok");
        t.Echo.Calls.Count(c => c == "first:deploy").ShouldBe(2);
    }

    [Fact]
    public async Task Plan_ShowsSkipForAStepWhoseStateIsOkAndInputsUnchanged()
    {
        WriteChain(skipFirst: "true");
        await t.DeployBlueprintAsync(Ref);
        var runtime = t.Runtime();

        var plan = new BlueprintEngine(runtime).Plan(runtime.Content.LoadBlueprint(Ref), null);

        plan.Select(p => (p.Id, p.Decision)).ShouldBe([("first", "skip"), ("second", "run"), ("third", "run")]);
    }

    [Fact]
    public async Task BlueprintRun_WhileTheRootLockIsHeld_FailsWithHYO7001AndExit11_WithoutChangingState()
    {
        WriteChain();
        await t.DeployBlueprintAsync(Ref);
        var before = TempDir.Snapshot(Path.Combine(t.Root, "state"));
        var logsBefore = TempDir.Snapshot(Path.Combine(t.Root, "logs"));
        var callsBefore = t.Echo.Calls.Count;

        using (RootLock.Acquire(t.Root))
        {
            var ex = await Should.ThrowAsync<HyopsException>(() => t.DeployBlueprintAsync(Ref));

            ex.Diagnostics[0].Code.ShouldBe("HYO7001");
            ex.ExitCode.ShouldBe(ExitCode.LockHeld);
            ((int)ex.ExitCode).ShouldBe(11);
        }

        t.Echo.Calls.Count.ShouldBe(callsBefore);
        TempDir.Snapshot(Path.Combine(t.Root, "state")).ShouldBe(before);
        TempDir.Snapshot(Path.Combine(t.Root, "logs")).ShouldBe(logsBefore);
    }

    [Fact]
    public async Task ModuleRun_WhileTheRootLockIsHeld_FailsWithHYO7001_WithoutChangingState()
    {
        await t.RunModuleAsync();
        var before = TempDir.Snapshot(Path.Combine(t.Root, "state"));

        using (RootLock.Acquire(t.Root))
        {
            var ex = await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync(inputs: new JsonObject { ["message"] = "blocked" }));
            ex.Diagnostics[0].Code.ShouldBe("HYO7001");
            ex.ExitCode.ShouldBe(ExitCode.LockHeld);

            // status does not mutate, so it does not need the lock
            (await t.RunModuleAsync("status")).Status.ShouldBe(StateStatus.Ok);
        }

        TempDir.Snapshot(Path.Combine(t.Root, "state")).ShouldBe(before);
        (await t.RunModuleAsync()).Status.ShouldBe(StateStatus.Ok); // released on dispose
    }

    [Fact]
    public async Task BlueprintRun_WritesAnIntactBlueprintRecord_AndBlueprintState()
    {
        WriteChain();

        var result = await t.DeployBlueprintAsync(Ref);

        var record = Path.Combine(t.Root, "logs", "blueprint", "test__chain@v1", result.RunId, RunRecord.FileName);
        result.RecordDir.ShouldBe(Path.GetDirectoryName(record));
        RunRecordVerifier.Verify(record).Intact.ShouldBeTrue();
        var types = File.ReadAllLines(record).Select(l => JsonNode.Parse(l)!["type"]!.GetValue<string>()).ToList();
        types.ShouldBe(["meta", "step", "step", "step", "result"]);

        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(t.Root, "state", "blueprints", "test__chain@v1", "latest.json")))!;
        state["blueprint_ref"]!.GetValue<string>().ShouldBe(Ref);
        state["status"]!.GetValue<string>().ShouldBe("ok");
        state["run_id"]!.GetValue<string>().ShouldBe(result.RunId);
        state["exit_code"]!.GetValue<int>().ShouldBe(0);
        state["steps"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ShouldBe(["first", "second", "third"]);

        // every step's module run has its own intact record, linked from the blueprint record
        foreach (var step in result.Steps)
        {
            var moduleRecord = Path.Combine(t.Root, "logs", "module", $"test__engine__echo#{step.Id}", step.RunId!, RunRecord.FileName);
            RunRecordVerifier.Verify(moduleRecord).Intact.ShouldBeTrue();
        }
    }

    [Fact]
    public async Task BlueprintRun_StepWithActionTheModuleLacks_FailsBeforeAnythingRuns()
    {
        t.WriteModule("test/engine/deploy-only", Specs.Echo("test/engine/deploy-only").Replace("[deploy, status, destroy]", "[deploy]", StringComparison.Ordinal));
        t.WriteBlueprint("test/bad-action@v1", """
            api_version: hybridops/v1
            kind: BlueprintSpec
            blueprint_ref: "test/bad-action@v1"
            steps:
              - id: ok
                module_ref: "test/engine/echo"
              - id: bad
                module_ref: "test/engine/deploy-only"
                action: destroy
            """);

        var ex = await Should.ThrowAsync<HyopsException>(() => t.DeployBlueprintAsync("test/bad-action@v1"));

        ex.Diagnostics[0].Code.ShouldBe("HYO1012");
        t.Echo.Calls.ShouldBeEmpty();
        Directory.Exists(t.Root).ShouldBeFalse();
    }

    [Fact]
    public async Task BlueprintRun_StepWhoseModuleHasNoHandler_FailsWithHYO1007BeforeAnythingRuns()
    {
        t.WriteModule("test/engine/orphan", Specs.Echo("test/engine/orphan"));
        t.WriteBlueprint("test/orphan@v1", """
            api_version: hybridops/v1
            kind: BlueprintSpec
            blueprint_ref: "test/orphan@v1"
            steps:
              - id: ok
                module_ref: "test/engine/echo"
              - id: orphan
                module_ref: "test/engine/orphan"
            """);

        var ex = await Should.ThrowAsync<HyopsException>(() => t.DeployBlueprintAsync("test/orphan@v1"));

        ex.Diagnostics[0].Code.ShouldBe("HYO1007");
        t.Echo.Calls.ShouldBeEmpty();
    }
}
