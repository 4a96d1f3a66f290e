using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Contracts;

public sealed class BlueprintSpecLoadingTests : IDisposable
{
    private const string Header = """
        api_version: hybridops/v1
        kind: BlueprintSpec
        blueprint_ref: "test/sample@v1"

        """;

    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static bool KnownModule(string moduleRef) => moduleRef is "test/engine/echo" or "test/engine/other";

    private (string File, string Yaml) Write(string body)
    {
        var yaml = Header + body;
        return (dir.Write("blueprints/test/sample@v1/blueprint.yml", yaml), yaml);
    }

    [Fact]
    public void ValidBlueprintSpec_LoadsIntoRecord_WithTypedFields()
    {
        var (file, _) = Write("""
            mode: "onprem"
            metadata:
              title: "Sample"
              description: "A sample blueprint"
            policy:
              fail_fast: false
              evidence_required: false
            steps:
              - id: first
                module_ref: "test/engine/echo"
                state_instance: "blue"
                phase: "prepare"
                skip_if_state_ok: true
                inputs:
                  message: "hi"
                  count: 2
                  flags: [x, y]
              - id: second
                module_ref: "test/engine/other"
                action: status
                requires: [first]
            """);

        var bp = ContractLoader.LoadBlueprint(file, KnownModule, "test/sample@v1");

        bp.BlueprintRef.ShouldBe("test/sample@v1");
        bp.BlueprintId.ShouldBe("test__sample@v1");
        bp.SourceFile.ShouldBe(file);
        bp.Mode.ShouldBe("onprem");
        bp.Title.ShouldBe("Sample");
        bp.FailFast.ShouldBeFalse();
        bp.EvidenceRequired.ShouldBeFalse();
        bp.Steps.Select(s => s.Id).ShouldBe(["first", "second"]);

        var first = bp.Steps[0];
        first.ModuleRef.ShouldBe("test/engine/echo");
        first.StateInstance.ShouldBe("blue");
        first.Action.ShouldBe("deploy");
        first.Phase.ShouldBe("prepare");
        first.SkipIfStateOk.ShouldBeTrue();
        first.Requires.ShouldBeEmpty();
        first.Inputs["message"]!.GetValue<string>().ShouldBe("hi");
        first.Inputs["count"]!.GetValue<long>().ShouldBe(2);
        first.Inputs["flags"]!.AsArray().Count.ShouldBe(2);

        var second = bp.Steps[1];
        second.Action.ShouldBe("status");
        second.StateInstance.ShouldBeNull();
        second.SkipIfStateOk.ShouldBeFalse();
        second.Requires.ShouldBe(["first"]);
    }

    [Fact]
    public void Blueprint_WithoutPolicy_DefaultsToFailFastAndEvidenceRequired()
    {
        var (file, _) = Write("""
            steps:
              - id: only
                module_ref: "test/engine/echo"
            """);

        var bp = ContractLoader.LoadBlueprint(file, KnownModule);

        bp.FailFast.ShouldBeTrue();
        bp.EvidenceRequired.ShouldBeTrue();
    }

    [Fact]
    public void Blueprint_Steps_AreOrderedTopologically_WithFileOrderAsTieBreaker()
    {
        var (file, _) = Write("""
            steps:
              - id: c
                module_ref: "test/engine/echo"
                requires: [b]
              - id: x
                module_ref: "test/engine/echo"
              - id: a
                module_ref: "test/engine/echo"
              - id: b
                module_ref: "test/engine/echo"
                requires: [a]
              - id: y
                module_ref: "test/engine/echo"
                requires: [x]
            """);

        var bp = ContractLoader.LoadBlueprint(file, KnownModule);

        bp.Steps.Select(s => s.Id).ShouldBe(["x", "a", "b", "c", "y"]);
    }

    [Fact]
    public void Blueprint_StepWithUnknownModuleRef_ReportsHYO1007AtTheModuleRefLine()
    {
        var (file, yaml) = Write("""
            steps:
              - id: ok
                module_ref: "test/engine/echo"
              - id: bad
                module_ref: "test/engine/missing"
            """);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadBlueprint(file, KnownModule)).Single("HYO1007");

        d.Message.ShouldContain("test/engine/missing");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(TextLines.LineOf(yaml, "test/engine/missing"));
    }

    [Fact]
    public void Blueprint_StepMissingModuleRef_ReportsHYO1003AtTheStepLine()
    {
        var (file, yaml) = Write("""
            steps:
              - id: ok
                module_ref: "test/engine/echo"
              - id: incomplete
                phase: "x"
            """);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadBlueprint(file, KnownModule)).Single("HYO1003");

        d.Message.ShouldContain("module_ref");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(TextLines.LineOf(yaml, "id: incomplete"));
    }

    [Fact]
    public void Blueprint_WithDependencyCycle_ReportsHYO1008NamingTheCycleWithFileAndLine()
    {
        var (file, yaml) = Write("""
            steps:
              - id: start
                module_ref: "test/engine/echo"
              - id: a
                module_ref: "test/engine/echo"
                requires: [b]
              - id: b
                module_ref: "test/engine/echo"
                requires: [c]
              - id: c
                module_ref: "test/engine/echo"
                requires: [a, start]
            """);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadBlueprint(file, KnownModule)).Single("HYO1008");

        d.Message.ShouldContain("a -> b -> c -> a");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(TextLines.LineOf(yaml, "id: a"));
    }

    [Fact]
    public void Blueprint_WithSelfDependency_ReportsHYO1008()
    {
        var (file, _) = Write("""
            steps:
              - id: a
                module_ref: "test/engine/echo"
                requires: [a]
            """);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadBlueprint(file, KnownModule)).Single("HYO1008");

        d.Message.ShouldContain("a -> a");
    }

    [Fact]
    public void Blueprint_StepRequiringUnknownStep_ReportsHYO1009AtTheStepLine()
    {
        var (file, yaml) = Write("""
            steps:
              - id: a
                module_ref: "test/engine/echo"
              - id: b
                module_ref: "test/engine/echo"
                requires: [a, ghost]
            """);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadBlueprint(file, KnownModule)).Single("HYO1009");

        d.Message.ShouldContain("ghost");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(TextLines.LineOf(yaml, "id: b"));
    }

    [Fact]
    public void Blueprint_WithDuplicateStepId_ReportsHYO1010AtTheSecondStep()
    {
        var (file, yaml) = Write("""
            steps:
              - id: same
                module_ref: "test/engine/echo"
              - id: other
                module_ref: "test/engine/echo"
              - id: same
                module_ref: "test/engine/other"
            """);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadBlueprint(file, KnownModule)).Single("HYO1010");

        d.Message.ShouldContain("same");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(TextLines.LineOf(yaml, "id: same", occurrence: 2));
    }

    [Fact]
    public void Blueprint_WithWrongApiVersionAndKind_ReportsHYO1005AndHYO1006()
    {
        var yaml = Header.Replace("hybridops/v1", "hybridops/v9", StringComparison.Ordinal).Replace("BlueprintSpec", "ModuleSpec", StringComparison.Ordinal)
            + "steps:\n  - id: a\n    module_ref: \"test/engine/echo\"\n";
        var file = dir.Write("bp.yml", yaml);

        var ex = Should.Throw<HyopsException>(() => ContractLoader.LoadBlueprint(file, KnownModule));

        ex.Single("HYO1005").Location!.Line.ShouldBe(1);
        ex.Single("HYO1006").Location!.Line.ShouldBe(2);
    }

    [Fact]
    public void Blueprint_WithYamlSyntaxError_ReportsHYO1002()
    {
        var (file, yaml) = Write("""
            steps:
              - id: a
                module_ref: "test/engine/echo
            """);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadBlueprint(file, KnownModule)).Diagnostics.ShouldHaveSingleItem();

        d.Code.ShouldBe("HYO1002");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBeGreaterThanOrEqualTo(TextLines.LineOf(yaml, "module_ref:"));
    }

    [Fact]
    public void Blueprint_WhoseRefDoesNotMatchItsDirectory_ReportsHYO1013()
    {
        var (file, yaml) = Write("steps:\n  - id: a\n    module_ref: \"test/engine/echo\"\n");

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadBlueprint(file, KnownModule, "test/other@v1")).Single("HYO1013");

        d.Location!.Line.ShouldBe(TextLines.LineOf(yaml, "blueprint_ref:"));
    }
}
