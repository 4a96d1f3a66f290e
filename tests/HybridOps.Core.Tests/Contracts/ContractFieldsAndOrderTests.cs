using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Tests.Contracts;

/// <summary>Unknown fields, merge keys and the documented step order.</summary>
public sealed class ContractFieldsAndOrderTests
{
    private static readonly ModuleLookup Echo = ModuleLookup.From(r => r == "test/engine/echo");

    private static BlueprintSpec Load(string steps, ContractOptions? options = null) => ContractLoader.LoadBlueprintText("bp.yml", $"""
        api_version: hybridops/v1
        kind: BlueprintSpec
        blueprint_ref: "test/fields@v1"
        steps:
        {steps}
        """, Echo, options: options);

    [Fact]
    public void MisspelledStepField_IsAWarning_WithDidYouMean_AtItsLine()
    {
        var bp = Load("""
              - id: a
                module_ref: "test/engine/echo"
                skip_if_state_okk: true
            """);

        var w = bp.Warnings.ShouldHaveSingleItem();
        w.Code.ShouldBe("HYO1030");
        w.Message.ShouldBe("unknown field 'steps[a].skip_if_state_okk' (did you mean 'skip_if_state_ok'?)");
        w.Location!.Line.ShouldBe(7);
    }

    [Fact]
    public void MisspelledStepField_IsAnError_WithStrict()
    {
        var ex = Should.Throw<HyopsException>(() => Load("""
              - id: a
                module_ref: "test/engine/echo"
                requiers: [a]
            """, new ContractOptions(Strict: true)));

        ex.ExitCode.ShouldBe(ExitCode.InputError);
        ex.Diagnostics.ShouldHaveSingleItem().Message.ShouldContain("did you mean 'requires'?");
    }

    [Fact]
    public void MergeKeys_AreSupported_WrittenKeysWinOverMergedOnes()
    {
        var bp = ContractLoader.LoadBlueprintText("bp.yml", """
            api_version: hybridops/v1
            kind: BlueprintSpec
            blueprint_ref: "test/fields@v1"
            steps:
              - &base
                id: a
                module_ref: "test/engine/echo"
                inputs: &inputs { message: "base", outcome: "ok" }
              - <<: *base
                id: b
                requires: [a]
                inputs: { <<: *inputs, message: "override" }
            """, Echo);

        bp.Steps.Select(s => s.Id).ShouldBe(["a", "b"]);
        bp.Steps[1].ModuleRef.ShouldBe("test/engine/echo");
        bp.Steps[1].Inputs["message"]!.GetValue<string>().ShouldBe("override");
        bp.Steps[1].Inputs["outcome"]!.GetValue<string>().ShouldBe("ok");
    }

    [Fact]
    public void StepOrder_IsKahnsWithFileOrderForTies_EachStepAsEarlyAsItsRequirementsAllow()
    {
        // File order: d, c, b, a. c and b both need only d; a needs b. Upstream's depth-first order would give the same
        // here; ties (c before b) keep file order, and a step never moves before what it requires.
        var bp = Load("""
              - id: a
                module_ref: "test/engine/echo"
                requires: [b]
              - id: c
                module_ref: "test/engine/echo"
                requires: [d]
              - id: b
                module_ref: "test/engine/echo"
                requires: [d]
              - id: d
                module_ref: "test/engine/echo"
            """);

        bp.Steps.Select(s => s.Id).ShouldBe(["d", "c", "b", "a"]);
    }

    [Fact]
    public void UpstreamModeAndApplyAction_AreAccepted_AnUnknownModeWarns()
    {
        var bp = ContractLoader.LoadBlueprintText("bp.yml", """
            api_version: hybridops/v1
            kind: BlueprintSpec
            blueprint_ref: "test/fields@v1"
            mode: "hybird"
            steps:
              - id: a
                module_ref: "test/engine/echo"
                action: apply
            """, Echo);

        bp.Steps[0].Action.ShouldBe("deploy");
        bp.Warnings.ShouldHaveSingleItem().Message.ShouldContain("did you mean 'hybrid'?");
    }
}
