using HybridOps.Core.Diagnostics;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Exec;
using static HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>Namespaced lab hosts on block 9: each its own hostname, /etc, pid space and address, reached over SSH.</summary>
public sealed class LabHostsTests
{
    private static readonly string[] Three = ["a", "b", "c"];
    private readonly LabHostSet _hosts = new(Runner);

    [Fact]
    public async Task Each_host_answers_ssh_with_its_own_name_etc_processes_and_address()
    {
        var labDir = NewLabDir();
        try
        {
            var infos = await _hosts.UpAsync(labDir, Block, Three, CancellationToken.None);
            infos.Select(i => i.Address).ShouldBe(["169.254.250.146", "169.254.250.147", "169.254.250.148"]);
            infos.ShouldAllBe(i => i.SshUser == "root" && i.SshPort == 22 && i.Become == "sudo" && i.ServiceUser == "postgres");

            foreach (var name in Three)
            {
                (await SshOkAsync(labDir, name, "hostname; cat /etc/hostname")).ShouldBe($"{name}\n{name}");
            }

            // /etc is private: a file written on a is absent on b and on the machine.
            var probe = $"/etc/hyops-probe-{Guid.NewGuid():N}";
            await SshOkAsync(labDir, "a", $"echo written-on-a > {probe}");
            (await SshOkAsync(labDir, "a", $"cat {probe}")).ShouldBe("written-on-a");
            (await SshAsync(labDir, "b", $"test -e {probe}")).ExitCode.ShouldBe(1);
            File.Exists(probe).ShouldBeFalse();

            // The pid space is private: pid 1 is the reaping init, and only the host's own processes show.
            var ps = (await SshOkAsync(labDir, "a", "ps -eo pid=,comm=")).Split('\n').Select(l => l.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries)).ToList();
            ps[0].ShouldBe(["1", "tini"]);
            ps.Select(p => p[1]).Distinct().ShouldBeSubsetOf(["tini", "sshd", "bash", "sh", "ps"]);

            // Private service dirs with the service user's ownership; become works.
            (await SshOkAsync(labDir, "a", "stat -c %U /var/lib/postgresql /run/postgresql /var/lib/etcd; sudo -u postgres id -un")).ShouldBe("postgres\npostgres\npostgres\npostgres");

            // A connection from a reaches b from a's own address (pg_hba would see 169.254.250.146).
            var seen = await SshOkAsync(labDir, "b", "echo $SSH_CONNECTION", "-J", "a");
            seen.Split(' ')[0].ShouldBe("169.254.250.146");
            (await SshOkAsync(labDir, "b", "echo $SSH_CONNECTION")).Split(' ')[0].ShouldBe("169.254.250.145");
        }
        finally
        {
            await RemoveAsync(labDir);
        }
    }

    [Fact]
    public async Task A_partition_cuts_two_hosts_apart_while_hyops_reaches_both_and_heal_restores()
    {
        var labDir = NewLabDir();
        const string AToB = "timeout 3 bash -c '</dev/tcp/169.254.250.147/22'";
        try
        {
            await _hosts.UpAsync(labDir, Block, Three, CancellationToken.None);
            (await SshAsync(labDir, "a", AToB)).ExitCode.ShouldBe(0);

            await _hosts.PartitionAsync(labDir, ["a"], ["b"], CancellationToken.None);
            (await SshAsync(labDir, "a", AToB)).ExitCode.ShouldNotBe(0);
            (await SshAsync(labDir, "b", "timeout 3 bash -c '</dev/tcp/169.254.250.146/22'")).ExitCode.ShouldNotBe(0);
            (await SshAsync(labDir, "c", "timeout 3 bash -c '</dev/tcp/169.254.250.147/22'")).ExitCode.ShouldBe(0);
            await SshOkAsync(labDir, "a", "true");
            await SshOkAsync(labDir, "b", "true");

            await _hosts.HealAsync(labDir, CancellationToken.None);
            (await SshAsync(labDir, "a", AToB)).ExitCode.ShouldBe(0);

            // Naming hyops on a side cuts hyops from the other side too.
            await _hosts.PartitionAsync(labDir, ["a", LabHostSet.HyopsSide], ["c"], CancellationToken.None);
            (await SshAsync(labDir, "c", "true")).ExitCode.ShouldNotBe(0);
            await SshOkAsync(labDir, "a", "true");
            await _hosts.HealAsync(labDir, CancellationToken.None);
            await SshOkAsync(labDir, "c", "true");
        }
        finally
        {
            await RemoveAsync(labDir);
        }
    }

    [Fact]
    public async Task A_power_cut_kills_every_process_of_the_host_and_a_restart_keeps_its_disk_and_host_key()
    {
        var labDir = NewLabDir();
        try
        {
            await _hosts.UpAsync(labDir, Block, Three, CancellationToken.None);
            await SshOkAsync(labDir, "a", "echo kept > /var/lib/postgresql/marker; echo lost > /run/marker; setsid sleep 1000 </dev/null >/dev/null 2>&1 &");
            var pids = await WaitForProcessAsync(labDir, "a", "sleep 1000");
            var knownHosts = File.ReadAllText(new LabHostPaths(labDir).KnownHostsFile);

            await _hosts.PowerCutAsync(labDir, ["a"], CancellationToken.None);
            pids.ShouldAllBe(p => !ProcessControl.IsAlive(p));
            LabHostSet.ProcessesOf(labDir, "a").ShouldBeEmpty();
            await SshOkAsync(labDir, "b", "true");

            await _hosts.StartAsync(labDir, ["a"], CancellationToken.None);
            (await SshOkAsync(labDir, "a", "cat /var/lib/postgresql/marker; test -e /run/marker || echo run-is-fresh")).ShouldBe("kept\nrun-is-fresh");
            File.ReadAllText(new LabHostPaths(labDir).KnownHostsFile).ShouldBe(knownHosts);
        }
        finally
        {
            await RemoveAsync(labDir);
        }
    }

    [Fact]
    public async Task Down_leaves_no_process_mount_namespace_veth_or_bridge()
    {
        var labDir = NewLabDir();
        try
        {
            await _hosts.UpAsync(labDir, Block, Three, CancellationToken.None);
            await SshOkAsync(labDir, "b", "setsid sleep 1000 </dev/null >/dev/null 2>&1 &");
            await WaitForProcessAsync(labDir, "b", "sleep 1000");
            var pids = RecordedPids(labDir).Concat(Three.SelectMany(h => LabHostSet.ProcessesOf(labDir, h))).ToList();
            pids.Count.ShouldBeGreaterThan(9);

            var report = await _hosts.DownAsync(labDir, CancellationToken.None);
            report.Namespaces.Length.ShouldBe(3);
            report.Links.ShouldContain("hyb9");
            await AssertNothingLeftAsync(labDir, pids);
            File.Exists(new LabHostPaths(labDir).RecordFile).ShouldBeFalse();
        }
        finally
        {
            await RemoveAsync(labDir);
        }
    }

    [Fact]
    public async Task The_cleaner_removes_what_a_crashed_run_left_by_its_record_and_by_naming_alone()
    {
        var labDir = NewLabDir();
        var cleaner = new LabCleaner(Runner);
        try
        {
            // Crash mid-way: hosts running, one host's launcher SIGKILLed, a namespace never recorded.
            await _hosts.UpAsync(labDir, Block, Three, CancellationToken.None);
            var pids = RecordedPids(labDir).Concat(Three.SelectMany(h => LabHostSet.ProcessesOf(labDir, h))).ToList();
            ProcessControl.Signal(LabHostSet.ProcessesOf(labDir, "c")[0], UnixSignal.Kill);
            (await Runner.RunAsync(ProcessSpec.Of("ip", "netns", "add", "hyops-9-stray"), CancellationToken.None)).EnsureSuccess();

            var report = await cleaner.CleanAsync(labDir, null, CancellationToken.None);
            report.Namespaces.ShouldContain("hyops-9-stray");
            await AssertNothingLeftAsync(labDir, pids);

            // Without any record: the block's naming is enough.
            await _hosts.UpAsync(labDir, Block, Three, CancellationToken.None);
            pids = RecordedPids(labDir).ToList();
            File.Delete(new LabHostPaths(labDir).RecordFile);
            report = await cleaner.CleanAsync(null, Block, CancellationToken.None);
            report.Namespaces.Length.ShouldBe(3);
            await AssertNothingLeftAsync(labDir, pids);
        }
        finally
        {
            await RemoveAsync(labDir);
        }
    }

    [Theory]
    [InlineData(15, "a")]
    [InlineData(0, "a")]
    [InlineData(9, "Bad_Name")]
    [InlineData(9, "hyops")]
    public async Task Bad_input_is_refused_before_anything_is_created(int block, string name)
    {
        var labDir = NewLabDir();
        var error = await Should.ThrowAsync<HyopsException>(() => _hosts.UpAsync(labDir, block, [name], CancellationToken.None));
        error.Diagnostics[0].Code.ShouldBe("HYO2094");
        Directory.Exists(labDir).ShouldBeFalse();
        await AssertNothingLeftAsync(labDir, []);
    }

    [Fact]
    public async Task A_block_another_lab_holds_is_refused()
    {
        var labDir = NewLabDir();
        try
        {
            (await Runner.RunAsync(ProcessSpec.Of("ip", "netns", "add", "hyops-9-other"), CancellationToken.None)).EnsureSuccess();
            var error = await Should.ThrowAsync<HyopsException>(() => _hosts.UpAsync(labDir, Block, ["a"], CancellationToken.None));
            error.Diagnostics[0].Code.ShouldBe("HYO2095");
            error.Message.ShouldContain("hyops-9-other");
        }
        finally
        {
            await new LabCleaner(Runner).CleanAsync(null, Block, CancellationToken.None);
            await AssertNothingLeftAsync(labDir, []);
        }
    }
}
