using System.Text;
using HybridOps.Core.Tests.Cli;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Contracts.Hardening;

/// <summary>
/// Each malformed input of issue 12 (once a crash, an out-of-memory or a wrong line) ends `blueprint validate`
/// with its own diagnostic at its real line and exit 2.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class LoaderHardeningCliTests : IDisposable
{
    private const string Ref = "test/hardening@v1";

    private const string Header = """
        api_version: hybridops/v1
        kind: BlueprintSpec
        blueprint_ref: "test/hardening@v1"
        steps:
          - id: a
            module_ref: "test/engine/echo"

        """;

    private readonly CliTestContent c = new();

    public void Dispose() => c.Dispose();

    public static TheoryData<string, string, string, int> Malformed => new()
    {
        { "recursive step inputs", "    inputs: &rec {message: m, self: *rec}\n", "HYO1024", 7 },
        { "alias bomb in step inputs", AliasBomb(), "HYO1026", 12 },
        { "a list nested 50,000 deep", "    inputs:\n      message: " + new string('[', 50_000) + new string(']', 50_000) + "\n", "HYO1022", 8 },
        { "inputs nested 64 deep", "    inputs:\n      message: " + Nested(64) + "\n", "HYO1022", 8 },
        { "requires the same step twice", "  - id: b\n    module_ref: \"test/engine/echo\"\n    requires: [a, a]\n", "HYO1029", 9 },
        { "a mapping as an input key", "    inputs:\n      ? {x: 1}\n      : v\n", "HYO1023", 8 },
        { "a list as an input key", "    inputs:\n      [x, y]: v\n", "HYO1023", 8 },
        { "an alias used before its anchor", "    inputs:\n      message: *nowhere\n", "HYO1025", 8 },
        { "a merge key merging a string", "    inputs:\n      <<: plain\n", "HYO1027", 8 },
        { "a tab in the indentation", "    inputs:\n      message: m\n\t   reject: true\n", "HYO1002", 9 },
        { "a second document", "---\nkind: other\n", "HYO1028", 7 },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedBlueprint_FailsValidate_WithItsDiagnostic_AtItsLine_Exit2(string why, string body, string code, int line)
    {
        c.WriteBlueprint(Ref, Header + body);

        var r = await c.RunAsync("blueprint", "validate", "--ref", Ref);

        r.ExitCode.ShouldBe(2, $"{why}\n{r}");
        r.Stderr.ShouldContain($"blueprint.yml:{line}:", Case.Sensitive, $"{why}\n{r}");
        r.Stderr.ShouldContain(code, Case.Sensitive, $"{why}\n{r}");
    }

    [Fact]
    public async Task Latin1Blueprint_IsRefused_AtTheLineOfTheFirstBadByte()
    {
        var bytes = Encoding.UTF8.GetBytes(Header + "    inputs:\n      message: \"caf").Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes("\"\n")).ToArray();
        await WriteBytes(bytes);

        var r = await c.RunAsync("blueprint", "validate", "--ref", Ref);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("blueprint.yml:8:", Case.Sensitive, r.ToString());
        r.Stderr.ShouldContain("HYO1021", Case.Sensitive, r.ToString());
    }

    [Fact]
    public async Task Utf16Blueprint_IsRefused_AsNotUtf8()
    {
        await WriteBytes([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Header)]);

        var r = await c.RunAsync("blueprint", "validate", "--ref", Ref);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("blueprint.yml:1", Case.Sensitive, r.ToString());
        r.Stderr.ShouldContain("HYO1021", Case.Sensitive, r.ToString());
    }

    [Fact]
    public async Task Utf8BlueprintWithAByteOrderMark_Validates()
    {
        await WriteBytes([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Header)]);

        var r = await c.RunAsync("blueprint", "validate", "--ref", Ref);

        r.ExitCode.ShouldBe(0, r.ToString());
    }

    [Fact]
    public async Task BlueprintLargerThanTheLimit_IsRefused_BeforeParsing()
    {
        c.WriteBlueprint(Ref, Header + "    inputs:\n      message: \"" + new string('x', 1024 * 1024) + "\"\n");

        var r = await c.RunAsync("blueprint", "validate", "--ref", Ref);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("blueprint.yml:1", Case.Sensitive, r.ToString());
        r.Stderr.ShouldContain("HYO1020", Case.Sensitive, r.ToString());
    }

    [Theory]
    [InlineData("recursive defaults", "    message: &rec {a: 1, self: *rec}\n", "HYO1024", 13)]
    [InlineData("a mapping as a defaults key", "    ? {x: 1}\n    : v\n", "HYO1023", 13)]
    public async Task MalformedModuleSpecDefaults_FailValidate_AtTheSpecLine(string why, string defaults, string code, int line)
    {
        c.Dir.Write("content/modules/test/engine/echo/spec.yml", SpecWithDefaults(defaults));
        c.WriteBlueprint(Ref, Header);

        var r = await c.RunAsync("blueprint", "validate", "--ref", Ref);

        r.ExitCode.ShouldBe(2, $"{why}\n{r}");
        r.Stderr.ShouldContain($"spec.yml:{line}:", Case.Sensitive, $"{why}\n{r}");
        r.Stderr.ShouldContain(code, Case.Sensitive, $"{why}\n{r}");
    }

    [Fact]
    public async Task NonScalarValueInAGuardsWhen_FailsValidate_AtItsLine()
    {
        c.Dir.Write("content/modules/test/engine/echo/spec.yml", SpecWithDefaults("    message: m\n") + """

            guards:
              - input: reject
                require_true: true
                when: { message: [a, b] }
            """);
        c.WriteBlueprint(Ref, Header);

        var r = await c.RunAsync("blueprint", "validate", "--ref", Ref);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("spec.yml:18:", Case.Sensitive, r.ToString());
        r.Stderr.ShouldContain("HYO1004", Case.Sensitive, r.ToString());
    }

    [Fact]
    public async Task NonScalarKeyInAGuardsWhen_FailsValidate_AtItsLine()
    {
        c.Dir.Write("content/modules/test/engine/echo/spec.yml", SpecWithDefaults("    message: m\n") + """

            guards:
              - input: reject
                require_true: true
                when: { [a]: b }
            """);
        c.WriteBlueprint(Ref, Header);

        var r = await c.RunAsync("blueprint", "validate", "--ref", Ref);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("spec.yml:18:", Case.Sensitive, r.ToString());
        r.Stderr.ShouldContain("HYO1023", Case.Sensitive, r.ToString());
    }

    private async Task WriteBytes(byte[] bytes)
    {
        var file = c.WriteBlueprint(Ref, "");
        await File.WriteAllBytesAsync(file, bytes);
    }

    /// <summary>Nine levels of ten aliases each: under 1 KB that expands to 10^9 nodes.</summary>
    private static string AliasBomb()
    {
        var sb = new StringBuilder("    inputs:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 9; i++)
        {
            sb.Append($"      l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        }

        return sb.ToString();
    }

    private static string Nested(int depth) => string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth);

    private static string SpecWithDefaults(string defaults) => $"""
        api_version: hybridops/v1
        kind: ModuleSpec
        module_ref: "test/engine/echo"
        metadata:
          title: "Echo (test)"
        lifecycle: [deploy, status, destroy]
        execution:
          driver: "hyops/csharp"
        outputs:
          publish: [message]
        inputs:
          defaults:
        {defaults}
        """;
}
