using System.CommandLine;
using HybridOps.Cli.Commands;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;

namespace HybridOps.Cli;

/// <summary>
/// The hyops command tree. Expected failures (HyopsException) are caught here, once, and mapped to the
/// exit-code table; anything else is a bug and exits 1 with the exception type named.
/// </summary>
public static class HyopsCli
{
    public static async Task<int> RunAsync(string[] args, CliIO io, IReadOnlyDictionary<string, string> environment, TimeProvider time, CancellationToken cancellationToken)
    {
        var root = new RootCommand("hyops — governed, evidence-driven PostgreSQL DR (Patroni + etcd) to the cloud and back");
        var options = new GlobalOptions();
        root.Options.Add(options.Root);
        root.Options.Add(options.Env);
        root.Options.Add(options.Output);

        // One Invocation per parse, so every part of a command shares one redactor and one runtime.
        Invocation? current = null;
        Func<ParseResult, Invocation> invocation = parse => current ??= new Invocation(parse, options, io, environment, time);
        root.Subcommands.Add(ModuleCommand.Build(invocation));
        root.Subcommands.Add(BlueprintCommand.Build(invocation));
        root.Subcommands.Add(LabCommand.Build(invocation));
        root.Subcommands.Add(SecretsCommand.Build(invocation));
        root.Subcommands.Add(RepoCommand.Build(invocation));
        root.Subcommands.Add(EvidenceCommand.Build(invocation));
        root.Subcommands.Add(DrillCommand.Build(invocation));
        root.Subcommands.Add(DrCommand.Build(invocation));
        root.Subcommands.Add(DiagnosticsCommand.Build(invocation));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                io.Err.WriteLine($"error HYO0002: {error.Message} (hint: run `hyops {string.Join(' ', parse.CommandResult.Command.Name)} --help`)");
            }

            return (int)ExitCode.InputError;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Err, EnableDefaultExceptionHandler = false }, cancellationToken);
    }

    /// <summary>Runs a command body and maps failures to diagnostics and exit codes.</summary>
    public static async Task<int> Guarded(Invocation invocation, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception ex) when (Failures.Normalize(ex) is { } failure)
        {
            invocation.Renderer.Failure(failure);
            return (int)failure.ExitCode;
        }
        catch (Exception ex)
        {
            // A bug, not an expected failure: say so plainly, still redacted, and never crash the host.
            invocation.Renderer.Failure(new HyopsException(new Diagnostic("HYO0001", ExitCode.InternalError,
                $"internal error: {ex.GetType().Name}: {ex.Message}", "this is a hyops bug; please report it with the run record")));
            return (int)ExitCode.InternalError;
        }
    }
}
