using System.Text.Json.Nodes;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Inventory;

/// <summary>
/// platform/onprem/inventory through the real CLI: an operator's inventory of SSH hosts (written by hand
/// or imported from Ansible) is published normalized, and a bad one is refused naming the member.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class SiteInventoryTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly Dictionary<string, string> env;

    public SiteInventoryTests()
    {
        env = new Dictionary<string, string> { ["HOME"] = dir.Combine("home"), ["HYOPS_CONTENT_ROOT"] = RepoRoot.Path };
    }

    private string Root => dir.Combine("root");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task HandWrittenInventory_OfThreeVms_IsPublishedWithSshAccessAndDebianLayoutDefaults()
    {
        var r = await DeployAsync("""
            cluster_name: prod-pg
            superuser_password_env: PROD_PG_SUPERUSER_PASSWORD
            etcd_endpoints: ["http://192.0.2.21:2379"]
            members:
              - {name: pg1, host: db1.example.net, ssh: {user: ops, jump_host: bastion.example.net}}
              - {name: pg2, host: db2.example.net, ssh: {user: ops, port: 2222}, postgres: {data_dir: /srv/pg/15/main}}
              - {name: pg3, host: db3.example.net, become: none, service_manager: start-stop-daemon,
                 patroni: {username: patroni, password_env: PROD_PATRONI_API_PASSWORD, service: patroni-prod}}
            """);

        r.ExitCode.ShouldBe(0, r.ToString());
        var members = Published()["members"]!.AsArray();
        members.Count.ShouldBe(3);
        members[0]!["ssh"]!["jump_host"]!.GetValue<string>().ShouldBe("bastion.example.net");
        members[0]!["ssh"]!["port"]!.GetValue<int>().ShouldBe(22);
        members[0]!["become"]!.GetValue<string>().ShouldBe("sudo");
        members[0]!["api_url"]!.GetValue<string>().ShouldBe("http://db1.example.net:8008");
        members[0]!["postgres"]!["data_dir"]!.GetValue<string>().ShouldBe("/var/lib/postgresql/15/main");
        members[1]!["ssh"]!["port"]!.GetValue<int>().ShouldBe(2222);
        members[1]!["postgres"]!["data_dir"]!.GetValue<string>().ShouldBe("/srv/pg/15/main");
        members[1]!["postgres"]!["pgbackrest_config"]!.GetValue<string>().ShouldBe("/etc/pgbackrest/pgbackrest.conf");
        members[2]!["become"]!.GetValue<string>().ShouldBe("none");
        members[2]!["service_manager"]!.GetValue<string>().ShouldBe("start-stop-daemon");
        members[2]!["patroni"]!["password_env"]!.GetValue<string>().ShouldBe("PROD_PATRONI_API_PASSWORD");
        members[2]!["patroni"]!["service"]!.GetValue<string>().ShouldBe("patroni-prod");
        members[0]!["patroni"]!["service"]!.GetValue<string>().ShouldBe("patroni");
    }

    [Fact]
    public async Task HttpsEtcd_WithItsCaFile_IsPublished_AndAFileThatIsNoCertificateIsRefused()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=site etcd CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var ca = dir.Write("etcd-ca.crt", cert.ExportCertificatePem());
        var notACert = dir.Write("not-a-cert.crt", "hello\n");
        const string Head = "cluster_name: c\nsuperuser_password_env: PW\nmembers: [{name: pg1, host: h1}]\netcd_endpoints: ['https://192.0.2.21:2379']\n";

        var bad = await DeployAsync(Head + $"etcd_ca_file: {notACert}");
        bad.ExitCode.ShouldBe(2, bad.ToString());
        bad.Stderr.ShouldContain("is not a certificate");
        File.Exists(StatePath).ShouldBeFalse();

        var r = await DeployAsync(Head + $"etcd_ca_file: {ca}");
        r.ExitCode.ShouldBe(0, r.ToString());
        Published()["etcd_ca_file"]!.GetValue<string>().ShouldBe(ca);
        Published()["etcd_endpoints"]!.AsArray().Select(e => e!.GetValue<string>()).ShouldBe(["https://192.0.2.21:2379"]);
    }

    [Fact]
    public async Task YamlAnsibleInventory_HostsOfTheGroup_BecomeMembers_WithGroupVarsAndHostVars()
    {
        var ansible = dir.Write("hosts.yml", """
            all:
              vars:
                ansible_user: admin
              children:
                postgres:
                  vars:
                    ansible_become: true
                    ansible_ssh_common_args: '-o ProxyJump=jump.example.net'
                  hosts:
                    pg-a: {ansible_host: 198.51.100.11}
                    pg-b: {ansible_host: 198.51.100.12, ansible_port: 2200}
                etcd:
                  hosts:
                    etcd-a: {ansible_host: 198.51.100.21}
            """);

        var r = await DeployAsync($"cluster_name: c\nsuperuser_password_env: PW\nansible_inventory: {ansible}\nansible_group: postgres\nansible_etcd_group: etcd\n");

        r.ExitCode.ShouldBe(0, r.ToString());
        var published = Published();
        var members = published["members"]!.AsArray();
        members.Select(m => m!["name"]!.GetValue<string>()).ShouldBe(["pg-a", "pg-b"]);
        members[0]!["host"]!.GetValue<string>().ShouldBe("198.51.100.11");
        members[0]!["ssh"]!["user"]!.GetValue<string>().ShouldBe("admin");
        members[0]!["ssh"]!["jump_host"]!.GetValue<string>().ShouldBe("jump.example.net");
        members[1]!["ssh"]!["port"]!.GetValue<int>().ShouldBe(2200);
        published["etcd_endpoints"]!.AsArray().Select(e => e!.GetValue<string>()).ShouldBe(["http://198.51.100.21:2379"]);
    }

    [Fact]
    public async Task IniAnsibleInventory_WithChildrenAndVarsSections_IsImported()
    {
        var ansible = dir.Write("hosts.ini", """
            [pg_primary_site]
            db1 ansible_host=203.0.113.5 ansible_user=postgres
            db2 ansible_host=203.0.113.6 ansible_user=postgres ansible_ssh_common_args='-J bastion'

            [postgres:children]
            pg_primary_site

            [postgres:vars]
            patroni_restapi_port=8009
            """);

        var r = await DeployAsync($"cluster_name: c\nsuperuser_password_env: PW\nansible_inventory: {ansible}\n");

        r.ExitCode.ShouldBe(0, r.ToString());
        var members = Published()["members"]!.AsArray();
        members.Count.ShouldBe(2);
        members[0]!["become"]!.GetValue<string>().ShouldBe("none");
        members[0]!["api_url"]!.GetValue<string>().ShouldBe("http://203.0.113.5:8009");
        members[1]!["ssh"]!["jump_host"]!.GetValue<string>().ShouldBe("bastion");
    }

    [Theory]
    [InlineData("members: [{name: pg1, host: 'not a host!'}]", "HYO2090", "pg1")]
    [InlineData("members: [{name: pg1, host: h1, become: su}]", "HYO2090", "become 'su'")]
    [InlineData("members: [{name: pg1, host: h1, ssh: {port: 70000}}]", "HYO2090", "ssh.port")]
    [InlineData("members: [{name: pg1, host: h1, ssh: {identity_file: relative/key}}]", "HYO2090", "absolute")]
    [InlineData("members: [{name: pg1, host: h1, patroni: {username: u}}]", "HYO2090", "password_env")]
    [InlineData("members: [{name: pg1, host: h1, patroni: {service: 'patroni; reboot'}}]", "HYO2090", "patroni.service")]
    [InlineData("members: [{name: pg1, host: h1}, {name: pg1, host: h2}]", "HYO2003", "pg1")]
    [InlineData("ansible_inventory: /nonexistent/hosts.yml", "HYO2091", "does not exist")]
    [InlineData("members: [{name: pg1, host: h1}]\netcd_endpoints: ['ftp://192.0.2.21:2379']", "HYO2003", "not an etcd client URL")]
    [InlineData("members: [{name: pg1, host: h1}]\netcd_endpoints: ['http://192.0.2.21:2379', 'https://192.0.2.22:2379']", "HYO2003", "mixes http and https")]
    [InlineData("members: [{name: pg1, host: h1}]\netcd_endpoints: ['https://192.0.2.21:2379']\netcd_ca_file: /nonexistent/ca.crt", "HYO2003", "does not exist")]
    [InlineData("members: [{name: pg1, host: h1}]\netcd_endpoints: ['http://192.0.2.21:2379']\netcd_ca_file: /etc/hostname", "HYO2003", "are http")]
    public async Task BadInventory_IsRefusedNamingWhatIsWrong_AndNothingIsPublished(string yaml, string code, string mention)
    {
        var r = await DeployAsync("cluster_name: c\nsuperuser_password_env: PW\n" + yaml + "\n");

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain(code);
        r.Stderr.ShouldContain(mention);
        File.Exists(StatePath).ShouldBeFalse();
    }

    [Fact]
    public async Task AnsibleGroupThatDoesNotExist_IsRefusedListingTheGroups()
    {
        var ansible = dir.Write("hosts.ini", "[db]\nh1 ansible_host=192.0.2.1\n");

        var r = await DeployAsync($"cluster_name: c\nsuperuser_password_env: PW\nansible_inventory: {ansible}\nansible_group: postgres\n");

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO2091");
        r.Stderr.ShouldContain("db");
    }

    private string StatePath => Path.Combine(Root, "state", "modules", "platform__onprem__inventory", "latest.json");

    private JsonObject Published() => JsonNode.Parse(File.ReadAllText(StatePath))!["outputs"]!.AsObject();

    private Task<CliResult> DeployAsync(string yaml)
    {
        var inputs = dir.Write("inputs.yml", yaml + "\n");
        return CliRunner.RunAsync(env, "--root", Root, "module", "deploy", "--module", "platform/onprem/inventory", "--inputs", inputs);
    }
}
