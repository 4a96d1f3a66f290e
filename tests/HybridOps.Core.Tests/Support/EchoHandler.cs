using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;

namespace HybridOps.Core.Tests.Support;

/// <summary>
/// The engine's test module. Behaviour is driven by its inputs:
/// `outcome` (ok | partial | destroyed), `fail_with` (a HYO code to throw), `token_env` (a secret to
/// resolve and then try to leak into outputs, evidence and progress). It always returns an
/// `unlisted` output that is not in outputs.publish.
/// </summary>
internal sealed class EchoHandler(string moduleRef = EchoHandler.Ref) : IModuleHandler
{
    public const string Ref = "test/engine/echo";

    private readonly Lock gate = new();
    private readonly List<string> calls = [];

    public string ModuleRef => moduleRef;

    /// <summary>"instance:action" per RunAsync call, in call order ("latest" when no instance).</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (gate)
            {
                return [.. calls];
            }
        }
    }

    /// <summary>The state status the handler read from disk at the start of its last RunAsync ("absent" if none).</summary>
    public string? StatusSeenDuringRun { get; private set; }

    public int ValidateCount { get; private set; }

    public void Validate(ModuleContext context)
    {
        ValidateCount++;
        if (context.Inputs.Bool("reject"))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "echo rejects its inputs on request");
        }
    }

    public Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            calls.Add($"{context.Instance ?? "latest"}:{context.Action}");
        }

        StatusSeenDuringRun = context.States.Read(context.Spec.ModuleRef, context.Instance)?.Status ?? "absent";
        var outputs = new JsonObject
        {
            ["message"] = context.Inputs.Values["message"]?.DeepClone(),
            ["action"] = context.Action,
            ["unlisted"] = "must-not-be-published",
        };

        string? secret = null;
        if (context.Inputs.String("token_env") is { } tokenEnv)
        {
            secret = context.Secrets.Resolve(tokenEnv);
            outputs["token"] = secret;
            outputs["unlisted"] = $"also {secret}";
            context.Evidence.Note($"resolved token {secret}");
            context.Evidence.Check("token_visible", true, new JsonObject { ["value"] = secret });
            context.Evidence.Action("curl", ["curl", "-H", $"Authorization: Bearer {secret}"], 0, TimeSpan.FromMilliseconds(1));
            context.Progress.Report($"using token {secret}");
        }

        if (context.Inputs.String("fail_with") is { } code)
        {
            var descriptor = DiagnosticCatalog.All.Single(d => d.Code == code);
            throw HyopsException.From(descriptor, secret is null ? "echo failed on purpose" : $"echo failed on purpose with {secret}");
        }

        var outcome = context.Action == "destroy" ? "destroyed" : context.Inputs.String("outcome") ?? "ok";
        return Task.FromResult(outcome switch
        {
            "partial" => ModuleOutcome.Partial(outputs, DiagnosticCatalog.NotReady.Create("echo is only partly done")),
            "destroyed" => ModuleOutcome.Destroyed(),
            _ => ModuleOutcome.Ok(outputs),
        });
    }
}
