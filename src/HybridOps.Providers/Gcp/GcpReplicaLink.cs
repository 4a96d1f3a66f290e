using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// The continuous replication from an external PostgreSQL into a Cloud SQL standby, through Database
/// Migration Service: a SOURCE connection profile (host, port, replication user and password — the
/// password is input only, DMS never returns it), a CONTINUOUS migration job from it to the standby's
/// DESTINATION profile, :verify (each DMS error type named, HYO8010), :start, then RUNNING/CDC.
/// Teardown stops and deletes the job and the source profile, never the destination.
/// </summary>
public sealed class GcpReplicaLink(GcpApis apis, string instance)
{
    private DataMigrationApi Dms => apis.DataMigration;

    public GcpMigrationJob Job { get; } = new(apis.DataMigration, GcpNames.MigrationJob(instance));

    public string SourceProfile => Dms.ProfileName(GcpNames.SourceProfile(instance));

    /// <summary>Creates (or finds) the profile and job, verifies, starts, and waits for CDC within <paramref name="cdcBudget"/>.</summary>
    public async Task<JsonObject> EstablishAsync(string host, int port, string user, string password, TimeSpan cdcBudget, CancellationToken ct)
    {
        if (await Dms.GetAsync(SourceProfile, ct) is null
            && await Dms.CreateProfileAsync(GcpNames.SourceProfile(instance), new JsonObject
            {
                ["displayName"] = $"hyops DR source for {instance}",
                ["role"] = "SOURCE",
                ["postgresql"] = new JsonObject { ["host"] = host, ["port"] = port, ["username"] = user, ["password"] = password },
            }, GcpNames.RequestId(), ct) is { } profileOp)
        {
            await Dms.WaitAsync(profileOp, ct);
        }

        var job = await Job.GetAsync(ct);
        if (job is null && await Dms.CreateJobAsync(Job.Id, new JsonObject
            {
                ["displayName"] = $"hyops DR {instance}",
                ["type"] = "CONTINUOUS",
                ["source"] = SourceProfile,
                ["destination"] = Dms.ProfileName(GcpNames.DestinationProfile(instance)),
                ["sourceDatabase"] = new JsonObject { ["engine"] = "POSTGRESQL" },
                ["destinationDatabase"] = new JsonObject { ["provider"] = "CLOUDSQL", ["engine"] = "POSTGRESQL" },
                ["staticIpConnectivity"] = new JsonObject(),
            }, GcpNames.RequestId(), ct) is { } jobOp)
        {
            await Dms.WaitAsync(jobOp, ct);
        }

        job = await Job.GetAsync(ct) ?? throw HyopsException.From(DiagnosticCatalog.DmsJobFailed, $"migration job {Job.Id} is absent after its create operation");
        if (job["state"]?.GetValue<string>() is "NOT_STARTED" or "STOPPED")
        {
            await VerifyAsync(ct);
            await Dms.WaitAsync(await Dms.JobVerbAsync(Job.Id, "start", ct), ct);
        }

        return await GcpPoller.UntilAsync(Dms.Client, $"migration job {Job.Id} reaching RUNNING/CDC", async c =>
        {
            var current = await Job.GetAsync(c) ?? throw HyopsException.From(DiagnosticCatalog.DmsJobFailed, $"migration job {Job.Id} disappeared");
            return current["state"]?.GetValue<string>() == "FAILED"
                ? throw HyopsException.From(DiagnosticCatalog.DmsJobFailed, $"migration job {Job.Id} FAILED in phase {current["phase"]}: {current["error"]?["message"]}")
                : current;
        }, j => j["state"]?.GetValue<string>() == "RUNNING" && j["phase"]?.GetValue<string>() == "CDC", ct, cdcBudget);
    }

    /// <summary>state, phase and the job's own error, as status publishes them.</summary>
    public async Task<JsonObject> StatusAsync(CancellationToken ct)
    {
        var job = await Job.GetAsync(ct);
        return new JsonObject
        {
            ["migration_job"] = Job.Name,
            ["state"] = job?["state"]?.GetValue<string>() ?? "ABSENT",
            ["phase"] = job?["phase"]?.GetValue<string>(),
            ["type"] = job?["type"]?.GetValue<string>(),
            ["error"] = job?["error"]?["message"]?.GetValue<string>(),
        };
    }

    /// <summary>Stops the job if it runs, deletes it and the source profile. The destination (the standby) stays.</summary>
    public async Task<JsonObject> DestroyAsync(CancellationToken ct)
    {
        var job = await Job.GetAsync(ct);
        if (job?["state"]?.GetValue<string>() == "RUNNING")
        {
            await Dms.WaitAsync(await Dms.JobVerbAsync(Job.Id, "stop", ct), ct);
        }

        var jobDeleted = await Dms.DeleteAsync(Job.Name, GcpNames.RequestId(), ct) is { } jobOp && await Dms.WaitAsync(jobOp, ct) is not null;
        var profileDeleted = await Dms.DeleteAsync(SourceProfile, GcpNames.RequestId(), ct) is { } profileOp && await Dms.WaitAsync(profileOp, ct) is not null;
        return new JsonObject { ["migration_job_deleted"] = jobDeleted, ["source_profile_deleted"] = profileDeleted, ["destination_kept"] = instance };
    }

    private async Task VerifyAsync(CancellationToken ct)
    {
        try
        {
            await Dms.WaitAsync(await Dms.JobVerbAsync(Job.Id, "verify", ct), ct);
        }
        catch (HyopsException ex) when (ex.Diagnostics[0].Code == DiagnosticCatalog.GcpOperationFailed.Code)
        {
            throw HyopsException.From(DiagnosticCatalog.DmsVerifyFailed, $"migration job {Job.Id} :verify — {ex.Diagnostics[0].Message}");
        }
    }
}
