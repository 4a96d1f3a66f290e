using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Engine;

/// <summary>
/// Declared guards (spec.yml `guards:`) are checked before anything runs: by the runner for one module,
/// and for every step of a blueprint before its first step, so a missing confirmation late in a
/// blueprint refuses the whole run before the first step changes anything (issue 3 "refused before
/// anything changes"; MDR-D3, PRM-8.1 auditable guards).
/// </summary>
public sealed class GuardTests : IDisposable
{
    private const string Guarded = "test/engine/guarded";
    private const string Ref = "test/guarded-chain@v1";
    private readonly TestRuntime t = new(new EchoHandler(Guarded));

    public GuardTests()
    {
        t.WriteModule(Guarded, Specs.Echo(Guarded).Replace("    reject: false", "    reject: false\n    mode: \"restore\"\n    confirm_name: \"\"", StringComparison.Ordinal)
            + """

            guards:
              - input: confirm_name
                equals_input: message
                when: { mode: "restore" }
                description: "type the target name"
            """);
        t.WriteBlueprint(Ref, $"""
            api_version: hybridops/v1
            kind: BlueprintSpec
            blueprint_ref: "{Ref}"
            steps:
              - id: first
                module_ref: "{EchoHandler.Ref}"
                state_instance: "first"
                inputs:
                  message: "changes-something"
              - id: restore
                module_ref: "{Guarded}"
                state_instance: "dr"
                requires: [first]
                inputs:
                  message: "gcp-dr-pg"
            """);
    }

    public void Dispose() => t.Dispose();

    [Fact]
    public async Task A_blueprint_missing_a_later_steps_confirmation_is_refused_before_the_first_step()
    {
        var ex = await Should.ThrowAsync<HyopsException>(() => t.DeployBlueprintAsync(Ref));

        ex.ExitCode.ShouldBe(ExitCode.GuardRefused);
        ex.Diagnostics[0].Code.ShouldBe("HYO3001");
        ex.Diagnostics[0].Message.ShouldContain("step 'restore'");
        ex.Diagnostics[0].Message.ShouldContain("gcp-dr-pg");
        t.Echo.Calls.ShouldBeEmpty();
        File.Exists(t.States.PathOf(EchoHandler.Ref, "first")).ShouldBeFalse();
        var record = Directory.EnumerateFiles(Path.Combine(t.Root, "logs", "blueprint"), "record.jsonl", SearchOption.AllDirectories).Single();
        File.ReadAllText(record).ShouldContain("\"refused\"");
    }

    [Fact]
    public async Task A_wrong_typed_confirmation_is_refused_and_the_right_one_runs_the_blueprint()
    {
        var wrong = new JsonObject { ["restore"] = new JsonObject { ["confirm_name"] = "gcp-dr-p" } };
        var ex = await Should.ThrowAsync<HyopsException>(() => t.DeployBlueprintAsync(Ref, wrong));
        ex.Diagnostics[0].Code.ShouldBe("HYO3002");
        t.Echo.Calls.ShouldBeEmpty();

        var right = new JsonObject { ["restore"] = new JsonObject { ["confirm_name"] = "gcp-dr-pg" } };
        var result = await t.DeployBlueprintAsync(Ref, right);

        result.ExitCode.ShouldBe(ExitCode.Success);
        result.Steps.Select(s => s.Status).ShouldBe(["ok", "ok"]);
    }

    [Fact]
    public async Task A_single_module_run_is_refused_with_an_auditable_record_and_no_state()
    {
        var ex = await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync(inputs: new JsonObject { ["message"] = "x" }, moduleRef: Guarded));

        ex.ExitCode.ShouldBe(ExitCode.GuardRefused);
        File.Exists(t.States.PathOf(Guarded, null)).ShouldBeFalse();
        var record = Directory.EnumerateFiles(Path.Combine(t.Root, "logs", "module"), "record.jsonl", SearchOption.AllDirectories).Single();
        File.ReadAllText(record).ShouldContain("\"guard\"");
    }

    [Fact]
    public async Task A_guard_applies_only_when_its_condition_holds()
    {
        var r = await t.RunModuleAsync(inputs: new JsonObject { ["message"] = "x", ["mode"] = "assess" }, moduleRef: Guarded);

        r.Status.ShouldBe("ok");
    }
}
