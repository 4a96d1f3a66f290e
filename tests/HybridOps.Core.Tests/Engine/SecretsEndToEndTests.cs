using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Core;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Engine;

/// <summary>
/// A secret resolved by a handler must appear in no file the runtime writes and nowhere on the
/// terminal, even when the handler tries to publish it, note it, log it as argv, report it as
/// progress and throw it in an error message.
/// </summary>
public sealed class SecretsEndToEndTests : IDisposable
{
    private readonly TestRuntime t = new();
    private readonly string secret = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 24);

    public SecretsEndToEndTests() => t.Env["HYOPS_TEST_SECRET"] = secret;

    public void Dispose() => t.Dispose();

    private void AssertSecretAppearsNowhere()
    {
        var files = TempDir.ReadAll(t.Root);
        files.ShouldNotBeEmpty();
        foreach (var (path, text) in files)
        {
            text.ShouldNotContain(secret, customMessage: $"secret leaked into {path}");
        }

        t.Stdout.ToString().ShouldNotContain(secret);
        t.Stderr.ToString().ShouldNotContain(secret);
    }

    [Fact]
    public async Task SecretResolvedByAHandler_AppearsInNoFileUnderTheRoot_NorOnStdoutOrStderr()
    {
        var inputsFile = t.Dir.Write("inputs.yml", "token_env: HYOPS_TEST_SECRET\nmessage: with-secret\n");

        var result = await t.RunModuleAsync(inputsFile: inputsFile);
        t.Renderer.Result(Json.ToObject(result, CoreJsonContext.Default.ModuleRunResult), w => w.WriteLine(result.Outputs.ToJsonString()));
        var status = await t.RunModuleAsync("status", inputsFile: inputsFile);
        t.Renderer.Result(Json.ToObject(status, CoreJsonContext.Default.ModuleRunResult), w => w.WriteLine(status.Outputs.ToJsonString()));
        var again = await t.RunModuleAsync(inputsFile: inputsFile); // replaces state: history copy too
        t.Renderer.Result(Json.ToObject(again, CoreJsonContext.Default.ModuleRunResult), w => w.WriteLine(again.Outputs.ToJsonString()));

        // The handler really got the secret and really tried to publish it: it shows as the marker.
        result.Status.ShouldBe("ok");
        t.States.Read(EchoHandler.Ref, null)!.Outputs["token"]!.GetValue<string>().ShouldBe(Redactor.Marker);
        t.Stderr.ToString().ShouldContain($"using token {Redactor.Marker}");
        Directory.GetFiles(Path.Combine(t.Root, "state"), "*.json", SearchOption.AllDirectories).Length.ShouldBe(2);
        AssertSecretAppearsNowhere();
    }

    [Fact]
    public async Task SecretInAHandlersErrorMessage_AppearsInNoFileUnderTheRoot_NorOnStderr()
    {
        var ex = await Should.ThrowAsync<HyopsException>(() => t.RunModuleAsync(inputs: new JsonObject
        {
            ["token_env"] = "HYOPS_TEST_SECRET",
            ["fail_with"] = "HYO5002",
        }));
        t.Renderer.Failure(ex);

        ex.Diagnostics[0].Code.ShouldBe("HYO5002");
        t.States.Read(EchoHandler.Ref, null)!.Status.ShouldBe("error");
        AssertSecretAppearsNowhere();
    }

    [Fact]
    public async Task SecretViaEnvironmentOverrideOfTheEnvName_IsRedactedToo()
    {
        t.Env["HYOPS_INPUT_TOKEN_ENV"] = "HYOPS_TEST_SECRET";

        var result = await t.RunModuleAsync(instance: "from-env");
        t.Renderer.Result(Json.ToObject(result, CoreJsonContext.Default.ModuleRunResult), _ => { });

        AssertSecretAppearsNowhere();
    }

    [Fact]
    public async Task SecretUsedInABlueprintStep_AppearsInNoFileUnderTheRoot()
    {
        t.WriteBlueprint("test/secret@v1", """
            api_version: hybridops/v1
            kind: BlueprintSpec
            blueprint_ref: "test/secret@v1"
            steps:
              - id: use_token
                module_ref: "test/engine/echo"
                inputs:
                  token_env: "HYOPS_TEST_SECRET"
              - id: fail_with_token
                module_ref: "test/engine/echo"
                state_instance: "second"
                requires: [use_token]
                inputs:
                  token_env: "HYOPS_TEST_SECRET"
                  fail_with: "HYO5002"
            """);

        var result = await t.DeployBlueprintAsync("test/secret@v1");
        t.Renderer.Result(Json.ToObject(result, CoreJsonContext.Default.BlueprintRunResult), _ => { });

        result.Steps.Select(s => s.Status).ShouldBe(["ok", "error"]);
        AssertSecretAppearsNowhere();
    }
}
