using System.CommandLine;
using HybridOps.Cli.Output;
using HybridOps.Core.Contracts;
using HybridOps.Core.Engine;
using HybridOps.Core.Runtime;
using HybridOps.Core.Secrets;
using HybridOps.Modules;

namespace HybridOps.Cli;

/// <summary>Per-invocation composition: resolves the runtime root and builds the runtime services once.</summary>
public sealed class Invocation(ParseResult parse, GlobalOptions options, CliIO io, IReadOnlyDictionary<string, string> environment, TimeProvider time)
{
    private readonly Redactor redactor = new();
    private HyopsRuntime? runtime;
    private Renderer? renderer;
    private string? root;

    public CliIO IO => io;

    public TimeProvider Time => time;

    public IReadOnlyDictionary<string, string> Environment => environment;

    public IEnvironmentReader EnvironmentReader => new DictionaryEnvironmentReader(environment);

    public Redactor Redactor => redactor;

    public Renderer Renderer => renderer ??= new(io, parse.GetValue(options.Output) == "json", redactor);

    public string Root => root ??= RuntimeRoot.Resolve(parse.GetValue(options.Root), parse.GetValue(options.Env), EnvironmentReader);

    public ContentRoot Content => ContentRoot.Locate(environment.GetValueOrDefault("HYOPS_CONTENT_ROOT"));

    public HyopsRuntime Runtime => runtime ??= Build();

    public Vault? OpenVault()
    {
        var password = new VaultPasswordSource(EnvironmentReader, Root).Resolve();
        return password is null ? null : Vault.Open(Vault.DefaultPath(Root), password);
    }

    private HyopsRuntime Build()
    {
        var root = Root;
        Directory.CreateDirectory(root);
        var renderer = Renderer;
        return new HyopsRuntime
        {
            Root = root,
            Content = Content,
            Redactor = redactor,
            Secrets = new SecretResolver(EnvironmentReader, OpenVault, redactor),
            Time = time,
            Handlers = ModuleCatalog.CreateRegistry(),
            Environment = environment,
            Progress = new SyncProgress(renderer.Progress),
        };
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; a CLI wants lines in order, now.</summary>
    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
