using System.CommandLine;

namespace HybridOps.Cli;

/// <summary>Options every command accepts; one instance per command tree (options hold parse state).</summary>
public sealed class GlobalOptions
{
    public readonly Option<string?> Root = new("--root")
    {
        Description = "Runtime root (state, logs, vault, locks). Default: $HYOPS_RUNTIME_ROOT, --env, or ~/.hybridops",
        Recursive = true,
    };

    public readonly Option<string?> Env = new("--env")
    {
        Description = "Named environment: uses ~/.hybridops/envs/NAME as the runtime root",
        Recursive = true,
    };

    public readonly Option<string> Output = new("--output", "-o")
    {
        Description = "Output format: text or json (json goes to stdout, human text to stderr)",
        Recursive = true,
        DefaultValueFactory = _ => "text",
    };

    public GlobalOptions() => Output.AcceptOnlyFromAmong("text", "json");
}
