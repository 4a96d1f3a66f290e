using System.Text.Json.Nodes;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Contracts;

public sealed class ModuleSpecLoadingTests : IDisposable
{
    private const string Valid = """
        api_version: hybridops/v1
        kind: ModuleSpec
        module_ref: "test/contracts/sample"
        metadata:
          title: "Sample"
          description: "A sample module"
        lifecycle: [deploy, status]
        apply_modes: [assess, apply]
        inputs:
          required: [site]
          defaults:
            site: "onprem"
            enabled: true
            disabled: false
            retries: 3
            ratio: 0.5
            tags: [a, b]
            quoted_bool: "true"
            nothing: ~
            nested:
              port: 5432
        execution:
          driver: "hyops/csharp"
        outputs:
          contract_version: "sample/v1"
          publish:
            - site
            - tags
        """;

    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void ValidModuleSpec_LoadsIntoRecord_WithTypedDefaults()
    {
        var file = dir.Write("modules/test/contracts/sample/spec.yml", Valid);

        var spec = ContractLoader.LoadModule(file, "test/contracts/sample");

        spec.ModuleRef.ShouldBe("test/contracts/sample");
        spec.ModuleId.ShouldBe("test__contracts__sample");
        spec.SourceFile.ShouldBe(file);
        spec.Title.ShouldBe("Sample");
        spec.Description.ShouldBe("A sample module");
        spec.Lifecycle.ShouldBe(["deploy", "status"]);
        spec.ApplyModes.ShouldBe(["assess", "apply"]);
        spec.RequiredInputs.ShouldBe(["site"]);
        spec.OutputsPublish.ShouldBe(["site", "tags"]);
        spec.ContractVersion.ShouldBe("sample/v1");
        spec.Driver.ShouldBe("hyops/csharp");

        var d = spec.Defaults;
        d["site"]!.GetValue<string>().ShouldBe("onprem");
        d["enabled"]!.GetValue<bool>().ShouldBeTrue();
        d["disabled"]!.GetValue<bool>().ShouldBeFalse();
        d["retries"]!.GetValue<long>().ShouldBe(3);
        d["ratio"]!.GetValue<double>().ShouldBe(0.5);
        d["tags"].ShouldBeOfType<JsonArray>().Select(t => t!.GetValue<string>()).ShouldBe(["a", "b"]);
        d["quoted_bool"]!.GetValue<string>().ShouldBe("true");
        d.ContainsKey("nothing").ShouldBeTrue();
        d["nothing"].ShouldBeNull();
        d["nested"]!["port"]!.GetValue<long>().ShouldBe(5432);
    }

    [Fact]
    public void ModuleSpec_Defaults_AreAFreshCopyEachRead()
    {
        var spec = ContractLoader.LoadModule(dir.Write("spec.yml", Valid));

        spec.Defaults["site"] = "mutated";

        spec.Defaults["site"]!.GetValue<string>().ShouldBe("onprem");
    }

    [Fact]
    public void ModuleSpec_WithoutLifecycle_DefaultsToDeployStatusDestroy()
    {
        var spec = ContractLoader.LoadModule(dir.Write("spec.yml", Valid.Replace("lifecycle: [deploy, status]\n", "", StringComparison.Ordinal)));

        spec.Lifecycle.ShouldBe(["deploy", "status", "destroy"]);
    }

    [Fact]
    public void ModuleSpec_MissingModuleRef_ReportsHYO1003AtFileAndLine()
    {
        var file = dir.Write("spec.yml", Valid.Replace("module_ref: \"test/contracts/sample\"\n", "", StringComparison.Ordinal));

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadModule(file)).Single("HYO1003");

        d.Message.ShouldContain("module_ref");
        d.Location.ShouldNotBeNull();
        d.Location.File.ShouldBe(file);
        d.Location.Line.ShouldBe(1); // the top-level mapping that lacks the key
        d.ExitCode.ShouldBe(ExitCode.InputError);
    }

    [Fact]
    public void ModuleSpec_MissingExecution_ReportsHYO1003AtFileAndLine()
    {
        var file = dir.Write("spec.yml", Valid.Replace("execution:\n  driver: \"hyops/csharp\"\n", "", StringComparison.Ordinal));

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadModule(file)).Single("HYO1003");

        d.Message.ShouldContain("execution");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(1);
    }

    [Fact]
    public void ModuleSpec_MissingOutputsPublish_ReportsHYO1003AtTheOutputsMapping()
    {
        var yaml = Valid[..Valid.IndexOf("  publish:", StringComparison.Ordinal)];
        var file = dir.Write("spec.yml", yaml);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadModule(file)).Single("HYO1003");

        d.Message.ShouldContain("outputs.publish");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(TextLines.LineOf(yaml, "contract_version:"));
    }

    [Fact]
    public void ModuleSpec_WithYamlSyntaxError_ReportsHYO1002AtTheBrokenLine()
    {
        var yaml = """
            api_version: hybridops/v1
            kind: ModuleSpec
            module_ref: "test/contracts/sample"
            inputs:
              defaults:
                a: 1
               b: 2
            """;
        var file = dir.Write("spec.yml", yaml);

        var ex = Should.Throw<HyopsException>(() => ContractLoader.LoadModule(file));

        var d = ex.Diagnostics.ShouldHaveSingleItem();
        d.Code.ShouldBe("HYO1002");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(TextLines.LineOf(yaml, " b: 2"));
    }

    [Fact]
    public void ModuleSpec_WithWrongApiVersion_ReportsHYO1005AtItsLine()
    {
        var yaml = Valid.Replace("api_version: hybridops/v1", "api_version: hybridops/v2", StringComparison.Ordinal);
        var file = dir.Write("spec.yml", yaml);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadModule(file)).Single("HYO1005");

        d.Message.ShouldContain("hybridops/v2");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(1);
    }

    [Fact]
    public void ModuleSpec_WithWrongKind_ReportsHYO1006AtItsLine()
    {
        var yaml = Valid.Replace("kind: ModuleSpec", "kind: BlueprintSpec", StringComparison.Ordinal);
        var file = dir.Write("spec.yml", yaml);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadModule(file)).Single("HYO1006");

        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(2);
    }

    [Fact]
    public void ModuleSpec_WhoseModuleRefDoesNotMatchItsDirectory_ReportsHYO1011AtTheModuleRefLine()
    {
        var file = dir.Write("modules/test/contracts/other/spec.yml", Valid);

        var d = Should.Throw<HyopsException>(() => ContractLoader.LoadModule(file, "test/contracts/other")).Single("HYO1011");

        d.Message.ShouldContain("test/contracts/sample");
        d.Location!.File.ShouldBe(file);
        d.Location.Line.ShouldBe(TextLines.LineOf(Valid, "module_ref:"));
    }

    [Fact]
    public void ModuleSpec_WithSeveralProblems_ReportsAllOfThemInOnePass()
    {
        var yaml = Valid
            .Replace("api_version: hybridops/v1", "api_version: v0", StringComparison.Ordinal)
            .Replace("kind: ModuleSpec", "kind: Nope", StringComparison.Ordinal)
            .Replace("execution:\n  driver: \"hyops/csharp\"\n", "", StringComparison.Ordinal);
        var file = dir.Write("spec.yml", yaml);

        var ex = Should.Throw<HyopsException>(() => ContractLoader.LoadModule(file));

        ex.Diagnostics.Select(d => d.Code).ShouldBe(["HYO1005", "HYO1006", "HYO1003"], ignoreOrder: true);
    }

    [Fact]
    public void ContentRoot_LoadModule_OfUnknownRef_ReportsHYO1007()
    {
        var ex = Should.Throw<HyopsException>(() => new ContentRoot(dir.Path).LoadModule("does/not/exist"));

        ex.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe("HYO1007");
        ex.ExitCode.ShouldBe(ExitCode.InputError);
    }
}
