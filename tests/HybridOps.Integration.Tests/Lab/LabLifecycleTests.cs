using System.Diagnostics;
using HybridOps.Lab;
using HybridOps.Postgres.Exec;
using Xunit.Abstractions;

namespace HybridOps.Integration.Tests.Lab;

/// <summary>
/// Destructive tests: each builds its own lab on 127.0.22.x (the shared lab on 127.0.21.x stays up).
/// </summary>
[Collection("lab")]
public sealed class LabLifecycleTests(ITestOutputHelper output)
{
    private readonly IProcessRunner _runner = new LocalProcessRunner();

    [Fact]
    public async Task Status_reports_postgres_stopped_outside_the_lab_and_down_leaves_nothing()
    {
        var options = LabTestSupport.NewOptions("127.0.22");
        var controller = new LabController(_runner);
        var lines = new List<string>();
        var progress = new LabFixture.SyncProgress(lines);
        try
        {
            var up = Stopwatch.StartNew();
            await controller.UpAsync(options, progress, CancellationToken.None);
            output.WriteLine($"cold up: {up.Elapsed.TotalSeconds:0.0}s");

            var healthy = await controller.StatusAsync(options.LabDir, CancellationToken.None);
            healthy.IsPostgresRunning("pg1").ShouldBeTrue();
            var allPids = healthy.LivePids;
            allPids.Count.ShouldBe(1 + 3 + 3);

            // Leader's PostgreSQL (and its Patroni) stopped behind the lab's back.
            await controller.StopPostgresOfMemberAsync(options.LabDir, "pg1", CancellationToken.None);
            var status = await controller.StatusAsync(options.LabDir, CancellationToken.None);
            status.IsPostgresRunning("pg1").ShouldBeFalse();
            status.Find("pg1", "patroni")!.Alive.ShouldBeFalse();
            status.IsPostgresRunning("pg2").ShouldBeTrue();
            status.Find("etcd", "etcd")!.Alive.ShouldBeTrue();

            // The surviving members elect a new leader once pg1's leader key expires (ttl 10 s).
            var failover = Stopwatch.StartNew();
            LabClusterMember? newLeader = null;
            while (failover.Elapsed < TimeSpan.FromSeconds(40) && newLeader is null)
            {
                await Task.Delay(500);
                var view = (await controller.StatusAsync(options.LabDir, CancellationToken.None)).Cluster;
                newLeader = view?.Leader is { IsRunning: true, Name: not "pg1" } l ? l : null;
            }

            newLeader.ShouldNotBeNull("no replica took over after pg1 was stopped");
            output.WriteLine($"{newLeader.Name} became leader {failover.Elapsed.TotalSeconds:0.0}s after pg1 was stopped");

            // `up` again reconciles: pg1's Patroni is restarted, pg_rewind brings the old leader back as a replica.
            var reconcile = Stopwatch.StartNew();
            await controller.UpAsync(options, progress, CancellationToken.None);
            output.WriteLine($"reconcile up: {reconcile.Elapsed.TotalSeconds:0.0}s");
            var rejoined = await controller.StatusAsync(options.LabDir, CancellationToken.None);
            rejoined.AllProcessesAlive.ShouldBeTrue();
            rejoined.Cluster!.Leader!.Name.ShouldBe(newLeader.Name);
            rejoined.Cluster.Members.Single(m => m.Name == "pg1").Streaming.ShouldBeTrue();
            allPids = [.. allPids, .. rejoined.LivePids];

            var down = Stopwatch.StartNew();
            await controller.DownAsync(options.LabDir, progress, CancellationToken.None);
            output.WriteLine($"down: {down.Elapsed.TotalSeconds:0.0}s");
            lines.ForEach(output.WriteLine);
            await LabTestSupport.AssertNothingLeftAsync(_runner, options.LabDir, allPids);
            var after = await controller.StatusAsync(options.LabDir, CancellationToken.None);
            after.RecordedStatus.ShouldBe("stopped");
            after.NoProcessAlive.ShouldBeTrue();
        }
        finally
        {
            await controller.DownAsync(options.LabDir, purge: true, null, CancellationToken.None);
        }
    }
}
