using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Repository;

/// <summary>
/// A posix repository on a site reached over SSH (lab hosts, block 8): `org/gcp/object-repo` provider
/// local creates the directory on the share every database host mounts (the lab's /var/lib/pgbackrest),
/// through a member's executor, never on the machine hyops runs on; every member is checked; a member that
/// does not have it is named before anything else is changed; the backup module then backs up into it.
/// </summary>
[Trait("lab", "hosts")]
public sealed class LocalRepositoryOnHostsTests : IAsyncLifetime
{
    private readonly Site site = Site.OnHosts(8);
    private readonly string root = "/var/lib/pgbackrest/it-" + Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => site.StartAsync([]);

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task Deploy_MakesTheDirectoryOnTheSharedMount_NotOnThisMachine_NamesAMemberWithoutIt_AndTheBackupGoesThere()
    {
        var repo = site.WriteInputs("repo.json", new JsonObject { ["provider"] = "local", ["bucket"] = "site-repo", ["local_root"] = root });
        var deployed = await site.OkAsync("module", "deploy", "--module", "org/gcp/object-repo", "--inputs", repo);
        var dir = $"{root}/site-repo/pgbackrest";
        deployed["outputs"]!["pgbackrest_options"]!["repo1-path"]!.GetValue<string>().ShouldBe(dir);

        foreach (var member in new[] { "pg1", "pg2", "pg3" })
        {
            (await site.SshAsync(member, $"stat -c '%U %a' {dir}")).ShouldBe("postgres 750", member);
        }

        Directory.Exists(root).ShouldBeFalse("the repository lives on the hosts' share, not on the machine hyops runs on");
        File.ReadAllText(Path.Combine(deployed["record_dir"]!.GetValue<string>(), "record.jsonl")).ShouldContain("\"local_repository_directory\"");

        // The backup module configures every member and backs up into the share.
        (await site.OkAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ShouldNotBeNull();
        await site.OkAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup");
        var backup = await site.OkAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs",
            site.WriteInputs("backup.json", new JsonObject { ["apply_mode"] = "backup", ["backup_type"] = "full" }));
        var label = backup["outputs"]!["backup_label"]!.GetValue<string>();
        (await site.SshAsync("pg3", $"ls {dir}/backup/*/")).ShouldContain(label);

        // A member that does not mount the share (here: its copy removed behind hyops' back) is named; status fails.
        await site.SshAsync("pg2", $"umount -l /var/lib/pgbackrest && test ! -e {dir}");
        var status = await site.HyopsAsync("module", "status", "--module", "org/gcp/object-repo", "--inputs", repo);
        status.ExitCode.ShouldBe(5, status.ToString());
        status.StdErr.ShouldContain("HYO5");
        status.StdErr.ShouldContain("pg2");
        status.StdErr.ShouldNotContain("pg1,");
    }
}
