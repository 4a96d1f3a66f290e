using System.Diagnostics;
using HybridOps.Lab;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Lab;

/// <summary>
/// One healthy lab for the non-destructive tests, on 127.0.21.x so it never clashes with a lab a
/// developer runs on the default 127.0.1.x. Missing servers make InitializeAsync throw, so the
/// tests fail (never skip) on a machine without PostgreSQL/Patroni/etcd.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    public LabOptions Options { get; } = LabTestSupport.NewOptions("127.0.21");

    public IProcessRunner Runner { get; } = new LocalProcessRunner();

    public LabController Controller { get; }

    public LabInventory Inventory { get; private set; } = null!;

    public TimeSpan ColdUpDuration { get; private set; }

    public List<string> Progress { get; } = [];

    public LabFixture() => Controller = new LabController(Runner);

    public async Task InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            Inventory = await Controller.UpAsync(Options, new SyncProgress(Progress), CancellationToken.None);
        }
        catch
        {
            await Controller.DownAsync(Options.LabDir, purge: false, null, CancellationToken.None);
            throw;
        }

        ColdUpDuration = stopwatch.Elapsed;
    }

    public async Task DisposeAsync()
    {
        var status = await Controller.StatusAsync(Options.LabDir, CancellationToken.None);
        await Controller.DownAsync(Options.LabDir, purge: false, null, CancellationToken.None);
        await LabTestSupport.AssertNothingLeftAsync(Runner, Options.LabDir, status.LivePids);
        Directory.Delete(Options.LabDir, recursive: true);
    }

    /// <summary>Progress&lt;T&gt; posts asynchronously; tests want the lines in order, right away.</summary>
    public sealed class SyncProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (lines)
            {
                lines.Add(value);
            }
        }
    }
}
