using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Providers.Gcp;

/// <summary>One DMS migration job: its state/phase, polled until a wanted state, FAILED as HYO8009 quoting the job's error.</summary>
public sealed class GcpMigrationJob(DataMigrationApi dms, string id)
{
    public string Id => id;

    public string Name => dms.JobName(id);

    public Task<JsonObject?> GetAsync(CancellationToken ct) => dms.GetAsync(Name, ct);

    /// <summary>Polls until state (and phase, when given) is reached.</summary>
    public Task<JsonObject> WaitForStateAsync(string state, string? phase, CancellationToken ct) =>
        GcpPoller.UntilAsync(dms.Client, $"migration job {id} reaching {state}{(phase is null ? "" : "/" + phase)}", async c =>
        {
            var job = await GetAsync(c) ?? throw HyopsException.From(DiagnosticCatalog.DmsJobFailed, $"migration job {id} disappeared");
            if (job["state"]?.GetValue<string>() == "FAILED")
            {
                throw HyopsException.From(DiagnosticCatalog.DmsJobFailed,
                    $"migration job {id} FAILED in phase {job["phase"]?.GetValue<string>() ?? "-"}: {job["error"]?["message"]?.GetValue<string>() ?? "no error message"}");
            }

            return job;
        }, j => j["state"]?.GetValue<string>() == state && (phase is null || j["phase"]?.GetValue<string>() == phase), ct);
}
