using System.CommandLine;
using System.Text.Json.Nodes;
using HybridOps.Core.State;
using HybridOps.Modules.Org.ObjectRepo;

namespace HybridOps.Cli.Commands;

/// <summary>`hyops repo purge --repo-state-ref REF --confirm-bucket NAME [--dry-run]`: the only data-deleting repository verb.</summary>
public static class RepoCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var cmd = new Command("repo", "Object repository maintenance (destructive verbs live here, never in deploy/destroy)");
        var repoRef = new Option<string>("--repo-state-ref") { Description = "The object-repo state, e.g. org/gcp/object-repo or org/gcp/object-repo#dr", Required = true };
        var confirm = new Option<string?>("--confirm-bucket") { Description = "Type the bucket name exactly to confirm the purge" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be deleted; delete nothing" };

        var purge = new Command("purge", "Delete every backup and WAL file in a repository (local provider only); needs the typed bucket name and no active backup configuration")
        {
            repoRef, confirm, dryRun,
        };
        purge.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () =>
        {
            var inv = invocation(parse);
            var result = RepoPurge.Run(inv.Runtime, StateRef.Parse(parse.GetValue(repoRef)!, "--repo-state-ref"), parse.GetValue(confirm), parse.GetValue(dryRun));
            inv.Renderer.Result(new JsonObject
            {
                ["status"] = result.DryRun ? "dry-run" : "purged",
                ["repo_uri"] = result.RepoUri,
                ["directory"] = result.Directory,
                ["files"] = result.Files,
                ["bytes"] = result.Bytes,
                ["run_id"] = result.RunId,
                ["record_dir"] = result.RecordDir,
            }, w => w.WriteLine($"{result.RepoUri}: {(result.DryRun ? "would delete" : "deleted")} {result.Files} files ({result.Bytes} bytes); run record {result.RecordDir}"));
            return Task.FromResult(0);
        }));
        cmd.Subcommands.Add(purge);
        return cmd;
    }
}
