using System.Text.Json.Nodes;
using HybridOps.Cli.Output;
using HybridOps.Cli;
using HybridOps.Core.Contracts;
using HybridOps.Core.Engine;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;

namespace HybridOps.Core.Tests.Support;

/// <summary>
/// A temp content root (modules/, blueprints/) plus a temp runtime root, and a <see cref="HyopsRuntime"/>
/// composed like the CLI does (see Invocation.cs) but with test handlers. Progress goes through the
/// CLI renderer into <see cref="Stderr"/>, so what a terminal would show can be checked.
/// </summary>
internal sealed class TestRuntime : IDisposable
{
    public TestRuntime(params IModuleHandler[] extraHandlers)
    {
        Dir = new TempDir();
        Handlers = [Echo, .. extraHandlers];
        WriteModule(EchoHandler.Ref, Specs.Echo());
        Env["HOME"] = Dir.Combine("home");
        Renderer = new Renderer(new CliIO(Stdout, Stderr, TextReader.Null), json: true, Redactor);
    }

    public TempDir Dir { get; }

    public EchoHandler Echo { get; } = new();

    public IModuleHandler[] Handlers { get; }

    public string ContentDir => Dir.Combine("content");

    public string Root => Dir.Combine("root");

    public Dictionary<string, string> Env { get; } = new(StringComparer.Ordinal);

    public Redactor Redactor { get; } = new();

    public StringWriter Stdout { get; } = new();

    public StringWriter Stderr { get; } = new();

    public Renderer Renderer { get; }

    public StateStore States => new(Root, Redactor);

    /// <summary>A runtime over the current <see cref="Env"/>; all runtimes of one test share the redactor.</summary>
    public HyopsRuntime Runtime() => new()
    {
        Root = Root,
        Content = new ContentRoot(ContentDir),
        Redactor = Redactor,
        Secrets = new SecretResolver(new DictionaryEnvironmentReader(Env), () => null, Redactor),
        Time = TimeProvider.System,
        Handlers = new HandlerRegistry(Handlers),
        Environment = Env,
        Progress = new SyncProgress(Renderer.Progress),
    };

    public string WriteModule(string moduleRef, string yaml) => Dir.Write(Path.Combine("content", "modules", moduleRef, "spec.yml"), yaml);

    public string WriteBlueprint(string blueprintRef, string yaml) => Dir.Write(Path.Combine("content", "blueprints", blueprintRef, "blueprint.yml"), yaml);

    public Task<ModuleRunResult> RunModuleAsync(string action = "deploy", string? instance = null, JsonObject? inputs = null, string? inputsFile = null, string moduleRef = EchoHandler.Ref) =>
        new ModuleRunner(Runtime()).RunAsync(new ModuleRequest
        {
            ModuleRef = moduleRef,
            Action = action,
            Instance = instance,
            StepInputs = inputs,
            InputsFile = inputsFile,
        }, CancellationToken.None);

    public Task<BlueprintRunResult> DeployBlueprintAsync(string blueprintRef, JsonObject? overrides = null)
    {
        var runtime = Runtime();
        return new BlueprintEngine(runtime).DeployAsync(runtime.Content.LoadBlueprint(blueprintRef), overrides, CancellationToken.None);
    }

    public void Dispose()
    {
        Stdout.Dispose();
        Stderr.Dispose();
        Dir.Dispose();
    }

    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
