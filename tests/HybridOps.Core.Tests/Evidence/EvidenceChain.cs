using HybridOps.Core.Engine;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Evidence;

/// <summary>A runtime root with real runs in it: a three-step blueprint of echo modules, plus helpers to tamper with it.</summary>
internal sealed class EvidenceChain : IDisposable
{
    public const string BlueprintRef = "test/evidence@v1";

    public EvidenceChain() => T.WriteBlueprint(BlueprintRef, $"""
        api_version: hybridops/v1
        kind: BlueprintSpec
        blueprint_ref: "{BlueprintRef}"
        steps:
          - id: first
            module_ref: "test/engine/echo"
            state_instance: "first"
            inputs:
              message: "one"
          - id: second
            module_ref: "test/engine/echo"
            state_instance: "second"
            requires: [first]
            inputs:
              message: "two"
        """);

    public TestRuntime T { get; } = new();

    public string Root => T.Root;

    public Task<BlueprintRunResult> DeployAsync() => T.DeployBlueprintAsync(BlueprintRef);

    /// <summary>The run directory of a step's module run.</summary>
    public string ModuleDir(BlueprintRunResult run, string step) =>
        Path.Combine(Root, "logs", "module", $"test__engine__echo#{step}", run.Steps.Single(s => s.Id == step).RunId!);

    /// <summary>Replaces the first occurrence of <paramref name="from"/> in line <paramref name="lineNo"/> (1-based) of a file.</summary>
    public static void EditLine(string file, int lineNo, string from, string to)
    {
        var lines = File.ReadAllLines(file);
        lines[lineNo - 1].ShouldContain(from);
        lines[lineNo - 1] = lines[lineNo - 1].Replace(from, to, StringComparison.Ordinal);
        File.WriteAllLines(file, lines);
    }

    public void Dispose() => T.Dispose();
}
