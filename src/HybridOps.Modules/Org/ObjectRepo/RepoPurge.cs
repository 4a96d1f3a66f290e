using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Core.Evidence;
using HybridOps.Core.Runtime;
using HybridOps.Core.State;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Org.ObjectRepo;

/// <summary>What a purge found (dry run) or deleted.</summary>
public sealed record PurgeResult(string RepoUri, string Directory, long Files, long Bytes, bool DryRun, string RunId, string RecordDir);

/// <summary>
/// `hyops repo purge`: the only path that deletes repository data, kept out of every deploy/destroy
/// flow (LAN-5.1/5.2, MDR-D2/D3). Separate, explicit, opt-in: the operator types the bucket name, no
/// backup configuration may still archive into the repository, and the run leaves its own record.
/// </summary>
public static class RepoPurge
{
    public static PurgeResult Run(HyopsRuntime runtime, StateRef repoRef, string? confirmBucket, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(repoRef);

        // Everything is checked before anything is deleted.
        var repo = runtime.States.RequireOk(repoRef, "repo_state_ref");
        var outputs = repo.Outputs;
        var backend = outputs["backend"]?.GetValue<string>() ?? "";
        var bucket = outputs["bucket"]?.GetValue<string>() ?? "";
        var repoUri = outputs["repo_uri"]?.GetValue<string>() ?? "";
        if (backend != "local")
        {
            throw HyopsException.From(DiagnosticCatalog.PurgeBackendUnsupported,
                $"repository {repoUri} uses backend '{backend}'; hyops purges only local repositories");
        }

        if (!string.Equals(confirmBucket, bucket, StringComparison.Ordinal))
        {
            throw HyopsException.From(DiagnosticCatalog.PurgeConfirmationMismatch,
                confirmBucket is null or ""
                    ? $"purge of {repoUri} needs --confirm-bucket {bucket}"
                    : $"--confirm-bucket '{confirmBucket}' does not match the bucket of {repoRef} ('{bucket}')");
        }

        var users = runtime.States.List()
            .Where(s => s.ModuleRef == "platform/onprem/postgresql-ha-backup" && s.Status is StateStatus.Ok or StateStatus.Running
                        && s.Outputs["repo_uri"]?.GetValue<string>() == repoUri)
            .Select(s => s.Instance is null ? s.ModuleRef : $"{s.ModuleRef}#{s.Instance}")
            .ToList();
        if (users.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.PurgeRepoInUse,
                $"{repoUri} is still configured for archiving by: {string.Join(", ", users)}");
        }

        var location = new RepoLocation(backend, bucket, outputs["path"]?.GetValue<string>() ?? "/",
            null, null, outputs["local_root"]?.GetValue<string>());
        var directory = RepoOptions.LocalDirectory(location);

        using var lockHandle = RootLock.Acquire(runtime.Root, "repo-purge");
        var runId = RunIds.New(runtime.Time);
        var record = new RunRecord(runtime.Root, "purge", repoRef.ModuleRef.Replace('/', '_') + (repoRef.Instance is null ? "" : "#" + repoRef.Instance), runId, runtime.Redactor, runtime.Time);
        record.Guard("purge_confirm_bucket", true, new JsonObject { ["typed"] = confirmBucket, ["bucket"] = bucket, ["repo_uri"] = repoUri, ["operator"] = System.Environment.UserName });

        long files = 0, bytes = 0;
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                files++;
                bytes += new FileInfo(file).Length;
            }
        }

        record.Check("repository_inventory", true, new JsonObject { ["directory"] = directory, ["files"] = files, ["bytes"] = bytes });
        if (!dryRun && System.IO.Directory.Exists(directory))
        {
            var started = runtime.Time.GetTimestamp();
            DirectoryContents.Delete(directory);

            record.Action("purge_repository", ["delete-contents", directory], 0, runtime.Time.GetElapsedTime(started),
                new JsonObject { ["files_deleted"] = files, ["bytes_deleted"] = bytes });
        }

        record.Append("result", new JsonObject { ["status"] = dryRun ? "dry-run" : "purged", ["files"] = files, ["bytes"] = bytes });
        return new PurgeResult(repoUri, directory, files, bytes, dryRun, runId, record.Directory);
    }
}
