using HybridOps.Cli;

namespace HybridOps.Core.Tests.Support;

/// <summary>What one in-process CLI invocation produced.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs <see cref="HyopsCli.RunAsync"/> in-process with a fixed environment and captured output.</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await HyopsCli.RunAsync(args, new CliIO(stdout, stderr, TextReader.Null), environment, TimeProvider.System, CancellationToken.None);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>CLI tests run one at a time: they write under HOME-like temp roots and read whole trees.</summary>
[CollectionDefinition(Name)]
public sealed class CliCollection
{
    public const string Name = "cli";
}
