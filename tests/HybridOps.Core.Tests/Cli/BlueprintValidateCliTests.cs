using System.Text.Json.Nodes;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed class BlueprintValidateCliTests : IDisposable
{
    private const string Header = """
        api_version: hybridops/v1
        kind: BlueprintSpec
        blueprint_ref: "test/broken@v1"
        steps:

        """;

    private readonly CliTestContent c = new();

    public void Dispose() => c.Dispose();

    public static TheoryData<string, string, string> BrokenBlueprints => new()
    {
        {
            "missing field",
            """
              - id: a
                module_ref: "test/engine/echo"
              - id: b
                requires: [a]
            """,
            "HYO1003"
        },
        {
            "unknown module ref",
            """
              - id: a
                module_ref: "test/engine/echo"
              - id: b
                module_ref: "test/engine/nope"
            """,
            "HYO1007"
        },
        {
            "cycle",
            """
              - id: a
                module_ref: "test/engine/echo"
                requires: [c]
              - id: b
                module_ref: "test/engine/echo"
                requires: [a]
              - id: c
                module_ref: "test/engine/echo"
                requires: [b]
            """,
            "HYO1008"
        },
    };

    [Theory]
    [MemberData(nameof(BrokenBlueprints))]
    public async Task BlueprintValidate_OnBrokenBlueprint_Exits2_NamesFileLineAndCode_AndChangesNoFileUnderTheRoot(string problem, string steps, string code)
    {
        var file = c.WriteBlueprint("test/broken@v1", Header + steps);
        var before = TempDir.Snapshot(c.Root);

        var r = await c.RunAsync("blueprint", "validate", "--ref", "test/broken@v1", "--root", c.Root);

        r.ExitCode.ShouldBe(2, $"{problem}\n{r}");
        r.Stderr.ShouldContain(code, customMessage: r.ToString());
        var line = code switch
        {
            "HYO1003" => TextLines.LineOf(Header + steps, "id: b"),
            "HYO1007" => TextLines.LineOf(Header + steps, "test/engine/nope"),
            _ => TextLines.LineOf(Header + steps, "id: a"),
        };
        r.Stderr.ShouldContain($"{file}:{line}:", customMessage: r.ToString());
        TempDir.Snapshot(c.Root).ShouldBe(before);
    }

    [Fact]
    public async Task BlueprintValidate_OnValidBlueprint_Exits0()
    {
        c.WriteBlueprint("test/broken@v1", Header + "  - id: a\n    module_ref: \"test/engine/echo\"\n");

        var r = await c.RunAsync("blueprint", "validate", "--ref", "test/broken@v1", "--root", c.Root);

        r.ExitCode.ShouldBe(0, r.ToString());
        r.Stdout.ShouldContain("valid");
    }

    [Fact]
    public async Task BlueprintValidate_WithJsonOutput_PrintsOneJsonDocumentWithTheDiagnostic()
    {
        var file = c.WriteBlueprint("test/broken@v1", Header + "  - id: a\n    module_ref: \"test/engine/nope\"\n");

        var r = await c.RunAsync("blueprint", "validate", "--ref", "test/broken@v1", "--root", c.Root, "--output", "json");

        r.ExitCode.ShouldBe(2, r.ToString());
        var doc = JsonNode.Parse(r.Stdout).ShouldNotBeNull(); // throws unless stdout is exactly one document
        doc["status"]!.GetValue<string>().ShouldBe("error");
        doc["exit_code"]!.GetValue<int>().ShouldBe(2);
        var d = doc["diagnostics"]![0]!;
        d["code"]!.GetValue<string>().ShouldBe("HYO1007");
        d["file"]!.GetValue<string>().ShouldBe(file);
        d["line"]!.GetValue<int>().ShouldBe(TextLines.LineOf(Header + "  - id: a\n    module_ref: \"test/engine/nope\"\n", "test/engine/nope"));
    }

    [Fact]
    public async Task BlueprintValidate_OfUnknownBlueprint_Exits2WithHYO1001()
    {
        var r = await c.RunAsync("blueprint", "validate", "--ref", "test/absent@v1", "--root", c.Root);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO1001");
    }
}
