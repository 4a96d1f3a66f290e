using System.Text.Json.Nodes;
using HybridOps.Cli.Drill;
using HybridOps.Core.Dr;
using HybridOps.Core.Drill;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Dr;

/// <summary>State and drill reports of a runtime root with the three DR options declared: what `dr status` and the decision service read.</summary>
internal static class DrTestFacts
{
    public const string Repo2 = "org/azure/object-repo";
    public static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private const long GiB = 1L << 30;

    /// <summary>Repo1 and repo2 hold a 2 GiB set + 16 WAL segments; the standby lags 1.5 s; archive lag 20 s (repo1), 45 s (repo2).</summary>
    public static void WriteState(StateStore states)
    {
        Write(states, DrOptionCatalog.Repo1StateRef, new JsonObject { ["repo_uri"] = "gcs://one" });
        Write(states, Repo2, new JsonObject { ["repo_uri"] = "azure://two" });
        Write(states, DrOptionCatalog.OnpremClusterRef, new JsonObject { ["cluster_name"] = "onprem-pg" });
        Write(states, DrOptionCatalog.ManagedInstanceRef, new JsonObject { ["instance_name"] = "hyops-dr-standby" });
        Write(states, DrOptionCatalog.ReplicaRef, new JsonObject { ["lag_seconds"] = 1.5, ["lag_bytes"] = 4096, ["replication_state"] = "streaming", ["schema_drift"] = new JsonArray() });
        Write(states, DrOptionCatalog.BackupStateRef, new JsonObject
        {
            ["repositories"] = new JsonArray(Repo(DrOptionCatalog.Repo1StateRef, 20), Repo(Repo2, 45)),
        });
    }

    private static JsonObject Repo(string repo, double lag) => new()
    {
        ["repo_state_ref"] = repo,
        ["backup_label"] = "20261201-100000F",
        ["backup_size_bytes"] = 2 * GiB,
        ["backup_wal_stop"] = "000000010000000000000010",
        ["wal_archive_max"] = "000000010000000000000020",
        ["wal_continuous"] = true,
        ["rpo_exposure_s"] = lag,
    };

    public static void Write(StateStore states, string stateRef, JsonObject outputs, string status = StateStatus.Ok)
    {
        var r = StateRef.Parse(stateRef, "ref");
        states.Write(new ModuleState { ModuleRef = r.ModuleRef, Instance = r.Instance, Status = status, Action = "deploy", RunId = "r-" + r.ModuleRef.Replace('/', '-'), UpdatedAt = Now.AddMinutes(-5), Outputs = outputs });
    }

    /// <summary>
    /// A successful restore drill: restore step of <paramref name="restoreSeconds"/> moving 1 GiB, RTO = restore + 10 s.
    /// </summary>
    public static DrillReport RestoreDrill(string root, string runId, DateTimeOffset at, string repo, double restoreSeconds = 32, bool ok = true)
    {
        var r = TestDrillReport.Make(root, DrOptionCatalog.FailoverBlueprint, runId, at, ok ? restoreSeconds + 10 : null);
        return r with
        {
            Phases = [new DrillPhase("step restore_dr", "step", "ok", r.FailoverStart.AddSeconds(5), r.FailoverStart.AddSeconds(5 + restoreSeconds))],
            Source = new DrillSource("restore_dr", repo, "20261101-100000F", GiB - (32L << 20), 32L << 20),
        };
    }

    public static DrillReport PromoteDrill(string root, string runId, DateTimeOffset at, double rto = 12, bool ok = true) =>
        TestDrillReport.Make(root, DrOptionCatalog.PromoteBlueprint, runId, at, ok ? rto : null) with { Source = new DrillSource(null, null, null, null, null) };

    public static void Keep(string root, DrillReport report) => DrillReports.Write(root, new Redactor(), TimeProvider.System, report);
}
