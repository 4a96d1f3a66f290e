using System.Diagnostics;
using HybridOps.Lab.Hosts;
using Xunit.Abstractions;
using static HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>Figures for docs/lab-hosts.md: printed only, never asserted on time.</summary>
public sealed class LabHostsFiguresTests(ITestOutputHelper output)
{
    private const int Rounds = 10;

    [Fact]
    public async Task Cold_up_of_eleven_hosts_and_the_ssh_round_trip_are_printed()
    {
        var labDir = NewLabDir();
        string[] names = ["pg1", "pg2", "pg3", "etcd", "dr1", "dr2", "dr3", "dr-etcd", "managed", "dns", "objstore"];
        try
        {
            var up = Stopwatch.StartNew();
            var infos = await new LabHostSet(Runner).UpAsync(labDir, Block, names, CancellationToken.None);
            up.Stop();
            infos.Count.ShouldBe(11);

            var plain = await RoundTripAsync(labDir, []);
            var control = Path.Combine(new LabHostPaths(labDir).SshDir, "cm-%C");
            string[] multiplexed = ["-o", "ControlMaster=auto", "-o", $"ControlPath={control}", "-o", "ControlPersist=30"];
            await SshOkAsync(labDir, "pg1", "true", multiplexed);
            var shared = await RoundTripAsync(labDir, multiplexed);
            await SshAsync(labDir, "pg1", "true", ["-o", $"ControlPath={control}", "-O", "exit"]);

            output.WriteLine($"cold up of 11 lab hosts: {up.Elapsed.TotalSeconds:0.00} s");
            output.WriteLine($"ssh pg1 true without ControlMaster: {plain:0} ms (mean of {Rounds})");
            output.WriteLine($"ssh pg1 true over a ControlMaster connection: {shared:0} ms (mean of {Rounds})");
        }
        finally
        {
            await RemoveAsync(labDir);
        }
    }

    private static async Task<double> RoundTripAsync(string labDir, string[] extra)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Rounds; i++)
        {
            await SshOkAsync(labDir, "pg1", "true", extra);
        }

        return watch.Elapsed.TotalMilliseconds / Rounds;
    }
}
