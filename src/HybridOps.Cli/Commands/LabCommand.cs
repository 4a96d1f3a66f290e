using System.CommandLine;

namespace HybridOps.Cli.Commands;

/// <summary>`hyops lab up|status|down`: the embedded lab (placeholder until the lab lands).</summary>
public static class LabCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation) => new("lab", "The embedded lab on loopback");
}
