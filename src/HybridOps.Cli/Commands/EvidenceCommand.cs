using System.CommandLine;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Evidence;

namespace HybridOps.Cli.Commands;

/// <summary>`hyops evidence verify [--bundle FILE] [--require-chain] [--expect-head HASH]` and `hyops evidence export --run ID [--out FILE]`.</summary>
public static class EvidenceCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var cmd = new Command("evidence", "Check and export the hash-chained evidence of runs and drills (for an auditor)");
        var bundle = new Option<string?>("--bundle") { Description = "Verify this exported bundle (.tar.gz) offline instead of the runtime root" };
        var requireChain = new Option<bool>("--require-chain") { Description = "Fail on a root or bundle without an evidence index (default: report its records as unchained)" };
        var expectHead = new Option<string?>("--expect-head") { Description = "An index head hash recorded earlier: fail unless it is still a line of the index (detects a rewritten or truncated index)" };
        var verify = new Command("verify", """
            Check every run record and drill report under the runtime root (or in --bundle): the index chained across
            runs, each record's own chain, each sealed head and document hash. Names every removed, moved, edited or
            unindexed run or report; exits 14 (HYO7201) if any. A root written before the index verifies as 'unchained'.
            """)
        {
            bundle, requireChain, expectHead,
        };
        verify.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () =>
        {
            var inv = invocation(parse);
            var head = parse.GetValue(expectHead);
            if (head is not null && (head.Length != 64 || !head.All(Uri.IsHexDigit)))
            {
                throw HyopsException.From(DiagnosticCatalog.EvidenceInputInvalid, $"--expect-head '{head}' is not a SHA-256 hex hash (64 hex digits)");
            }

            EvidenceReport report;
            if (parse.GetValue(bundle) is { } file)
            {
                report = BundleVerifier.Verify(file, parse.GetValue(requireChain));
            }
            else
            {
                if (!Directory.Exists(inv.Root))
                {
                    throw HyopsException.From(DiagnosticCatalog.EvidenceInputInvalid, $"runtime root '{inv.Root}' does not exist; pass --root DIR");
                }

                report = EvidenceVerifier.Verify(inv.Root, requireChain: parse.GetValue(requireChain), expectHead: head);
            }

            return Task.FromResult(EvidenceOutput.Verified(inv, report));
        }));

        var run = new Option<string>("--run") { Description = "A blueprint run id (brings its module runs and drill reports), a drill run id or a module run id", Required = true };
        var output = new Option<string?>("--out") { Description = "Bundle file to write (default <root>/exports/evidence-<run id>.tar.gz)" };
        var export = new Command("export", """
            Write one .tar.gz of a run's evidence: the blueprint run, its module runs, its drill reports, the evidence index
            and a manifest of SHA-256 hashes. Verify it anywhere with `hyops evidence verify --bundle FILE`.
            """)
        {
            run, output,
        };
        export.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () =>
        {
            var inv = invocation(parse);
            var id = parse.GetValue(run)!;
            if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal) || id.Contains("..", StringComparison.Ordinal))
            {
                throw HyopsException.From(DiagnosticCatalog.EvidenceInputInvalid, $"--run '{id}' is not a run id (e.g. 20261121T160800Z-3fa2c1)");
            }

            var file = parse.GetValue(output) ?? Path.Combine(inv.Root, "exports", $"evidence-{id}.tar.gz");
            var exported = EvidenceBundle.Export(inv.Root, id, file, inv.Time);
            return Task.FromResult(EvidenceOutput.Exported(inv, exported, BundleVerifier.Verify(exported.File)));
        }));

        cmd.Subcommands.Add(verify);
        cmd.Subcommands.Add(export);
        return cmd;
    }
}
