using System.Text.Json.Nodes;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Inputs;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Inputs;

public sealed class InputResolverTests : IDisposable
{
    private const string SpecYaml = """
        api_version: hybridops/v1
        kind: ModuleSpec
        module_ref: "test/inputs/sample"
        inputs:
          required: [site]
          defaults:
            site: "onprem"
            from_default: "default"
            from_step: "default"
            from_file: "default"
            from_env: "default"
            nested:
              keep: "default"
              over: "default"
            upstream_state_ref: ""
        execution:
          driver: "hyops/csharp"
        outputs:
          publish: [site]
        """;

    private readonly TempDir dir = new();
    private readonly ModuleSpec spec;
    private readonly StateStore states;

    public InputResolverTests()
    {
        spec = ContractLoader.LoadModule(dir.Write("spec.yml", SpecYaml));
        states = new StateStore(dir.Combine("root"), new Redactor());
    }

    public void Dispose() => dir.Dispose();

    private ResolvedInputs Resolve(JsonObject? step = null, string? file = null, Dictionary<string, string>? env = null) =>
        new InputResolver(states).Resolve(spec, step, file, env ?? []);

    private void Publish(string moduleRef, string? instance, string status, JsonObject? outputs = null) => states.Write(new ModuleState
    {
        ModuleRef = moduleRef,
        Instance = instance,
        Status = status,
        Action = "deploy",
        RunId = "20260101T000000Z-000000",
        UpdatedAt = DateTimeOffset.UnixEpoch,
        Outputs = outputs ?? [],
        Error = status == StateStatus.Error ? new StateError("HYO5003", "upstream broke", "fix it") : null,
    });

    [Fact]
    public void Inputs_AreLayered_DefaultsThenStepThenFileThenEnv()
    {
        var step = new JsonObject { ["from_step"] = "step", ["from_file"] = "step", ["from_env"] = "step" };
        var file = dir.Write("inputs.yml", "from_file: file\nfrom_env: file\n");
        var env = new Dictionary<string, string> { ["HYOPS_INPUT_FROM_ENV"] = "env", ["UNRELATED"] = "x" };

        var v = Resolve(step, file, env).Values;

        v["from_default"]!.GetValue<string>().ShouldBe("default");
        v["from_step"]!.GetValue<string>().ShouldBe("step");
        v["from_file"]!.GetValue<string>().ShouldBe("file");
        v["from_env"]!.GetValue<string>().ShouldBe("env");
        v.ContainsKey("unrelated").ShouldBeFalse();
    }

    [Fact]
    public void EnvOverride_WithDoubleUnderscore_SetsANestedKey_KeepingSiblings()
    {
        var env = new Dictionary<string, string> { ["HYOPS_INPUT_nested__over"] = "env", ["HYOPS_INPUT_NEW__DEEP__KEY"] = "made" };

        var v = Resolve(env: env).Values;

        v["nested"]!["over"]!.GetValue<string>().ShouldBe("env");
        v["nested"]!["keep"]!.GetValue<string>().ShouldBe("default");
        v["new"]!["deep"]!["key"]!.GetValue<string>().ShouldBe("made");
    }

    [Fact]
    public void EnvOverride_Values_AreTypedAsYaml()
    {
        var env = new Dictionary<string, string>
        {
            ["HYOPS_INPUT_FLAG"] = "true",
            ["HYOPS_INPUT_COUNT"] = "5",
            ["HYOPS_INPUT_LIST"] = "[x, y]",
            ["HYOPS_INPUT_MAP"] = "{k: v}",
            ["HYOPS_INPUT_QUOTED"] = "'5'",
            ["HYOPS_INPUT_TEXT"] = "plain words",
        };

        var v = Resolve(env: env).Values;

        v["flag"]!.GetValue<bool>().ShouldBeTrue();
        v["count"]!.GetValue<long>().ShouldBe(5);
        v["list"].ShouldBeOfType<JsonArray>().Select(n => n!.GetValue<string>()).ShouldBe(["x", "y"]);
        v["map"]!["k"]!.GetValue<string>().ShouldBe("v");
        v["quoted"]!.GetValue<string>().ShouldBe("5");
        v["text"]!.GetValue<string>().ShouldBe("plain words");
    }

    [Fact]
    public void EnvOverride_WithEmptyPathSegment_ReportsHYO2003()
    {
        var ex = Should.Throw<HyopsException>(() => Resolve(env: new() { ["HYOPS_INPUT_A____B"] = "x" }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2003");
    }

    [Fact]
    public void InputsHash_ChangesWhenAnInputChanges_AndIsStableOtherwise()
    {
        var a = Resolve(new JsonObject { ["from_step"] = "one" }).Hash;
        var b = Resolve(new JsonObject { ["from_step"] = "one" }).Hash;
        var c = Resolve(new JsonObject { ["from_step"] = "two" }).Hash;

        a.ShouldBe(b);
        c.ShouldNotBe(a);
    }

    [Theory]
    [InlineData("db_password: hunter22\n")]
    [InlineData("api_token: hunter22\n")]
    [InlineData("nested:\n  client_secret: hunter22\n")]
    public void LiteralSecret_InInputs_ReportsHYO2004WithInputErrorExit(string inputs)
    {
        var file = dir.Write("inputs.yml", inputs);

        var ex = Should.Throw<HyopsException>(() => Resolve(file: file));

        ex.Diagnostics[0].Code.ShouldBe("HYO2004");
        ex.ExitCode.ShouldBe(ExitCode.InputError);
        ex.Diagnostics[0].Message.ShouldNotContain("hunter22");
    }

    [Fact]
    public void LiteralSecret_FromEnvOverride_ReportsHYO2004()
    {
        var ex = Should.Throw<HyopsException>(() => Resolve(env: new() { ["HYOPS_INPUT_DB_PASSWORD"] = "hunter22" }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2004");
    }

    [Fact]
    public void SecretIndirection_ViaEnvName_IsAccepted()
    {
        var file = dir.Write("inputs.yml", "db_password_env: PG_PASSWORD\n");

        Resolve(file: file).String("db_password_env").ShouldBe("PG_PASSWORD");
    }

    [Fact]
    public void RequiredInput_Missing_ReportsHYO2002()
    {
        var ex = Should.Throw<HyopsException>(() => Resolve(new JsonObject { ["site"] = "" }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2002");
        ex.Diagnostics[0].Message.ShouldContain("site");
        ex.ExitCode.ShouldBe(ExitCode.InputError);
    }

    [Fact]
    public void StateRef_ToAbsentState_ReportsHYO2006WithStateNotReadyExit()
    {
        var ex = Should.Throw<HyopsException>(() => Resolve(new JsonObject { ["upstream_state_ref"] = "test/inputs/upstream" }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2006");
        ex.ExitCode.ShouldBe(ExitCode.StateNotReady);
        ((int)ex.ExitCode).ShouldBe(7);
    }

    [Fact]
    public void StateRef_ToStateWithStatusError_ReportsHYO2007()
    {
        Publish("test/inputs/upstream", null, StateStatus.Error);

        var ex = Should.Throw<HyopsException>(() => Resolve(new JsonObject { ["upstream_state_ref"] = "test/inputs/upstream" }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2007");
        ex.Diagnostics[0].Message.ShouldContain("HYO5003");
        ex.ExitCode.ShouldBe(ExitCode.StateNotReady);
    }

    [Theory]
    [InlineData(StateStatus.Running)]
    [InlineData(StateStatus.Partial)]
    [InlineData(StateStatus.Destroyed)]
    public void StateRef_ToStateThatIsNotOk_ReportsHYO2007(string status)
    {
        Publish("test/inputs/upstream", null, status);

        var ex = Should.Throw<HyopsException>(() => Resolve(new JsonObject { ["upstream_state_ref"] = "test/inputs/upstream" }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2007");
    }

    [Theory]
    [InlineData("Bad Ref#x")]
    [InlineData("a/b#Bad!")]
    [InlineData("a/b#c#d")]
    [InlineData("noslash")]
    public void StateRef_Malformed_ReportsHYO2005(string stateRef)
    {
        var ex = Should.Throw<HyopsException>(() => Resolve(new JsonObject { ["upstream_state_ref"] = stateRef }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2005");
        ex.ExitCode.ShouldBe(ExitCode.InputError);
    }

    [Fact]
    public void StateRef_NotAString_ReportsHYO2005()
    {
        var ex = Should.Throw<HyopsException>(() => Resolve(new JsonObject { ["upstream_state_ref"] = 42 }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2005");
    }

    [Fact]
    public void StateRef_WithInstance_ReadsTheInstanceFile()
    {
        Publish("test/inputs/upstream", "blue", StateStatus.Ok, new JsonObject { ["color"] = "blue" });

        var resolved = Resolve(new JsonObject { ["upstream_state_ref"] = "test/inputs/upstream#blue" });

        File.Exists(dir.Combine("root", "state", "modules", "test__inputs__upstream", "instances", "blue.json")).ShouldBeTrue();
        File.Exists(dir.Combine("root", "state", "modules", "test__inputs__upstream", "latest.json")).ShouldBeFalse();
        var state = resolved.State("upstream_state_ref").ShouldNotBeNull();
        state.Instance.ShouldBe("blue");
        state.Outputs["color"]!.GetValue<string>().ShouldBe("blue");
    }

    [Fact]
    public void StateRef_WithInstance_DoesNotFallBackToLatest()
    {
        Publish("test/inputs/upstream", null, StateStatus.Ok);

        var ex = Should.Throw<HyopsException>(() => Resolve(new JsonObject { ["upstream_state_ref"] = "test/inputs/upstream#green" }));

        ex.Diagnostics[0].Code.ShouldBe("HYO2006");
    }

    [Fact]
    public void StateRef_Empty_IsNotResolved()
    {
        Resolve().States.ShouldBeEmpty();
    }

    [Fact]
    public void InputsFile_ThatIsNotAMapping_ReportsHYO2001()
    {
        var file = dir.Write("inputs.yml", "- just\n- a list\n");

        Should.Throw<HyopsException>(() => Resolve(file: file)).Diagnostics[0].Code.ShouldBe("HYO2001");
    }

    [Fact]
    public void InputsFile_Missing_ReportsHYO2001()
    {
        Should.Throw<HyopsException>(() => Resolve(file: dir.Combine("nope.yml"))).Diagnostics[0].Code.ShouldBe("HYO2001");
    }
}
