using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Dns;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Routing;

/// <summary>
/// platform/network/dns-routing against the lab's real PowerDNS on its own lab host (`dns`, block 2,
/// reached over SSH like every lab host; own lab: one test stops pdns). Targets are other lab hosts'
/// addresses; nothing connects to them.
/// </summary>
[Trait("lab", "hosts")]
public sealed class DnsRoutingTests : IAsyncLifetime
{
    private const string Module = "platform/network/dns-routing";
    private const string Fqdn = "db.hyops.lab.";
    private readonly Site site = Site.OnHosts(2);

    private string DnsHost => site.Address("dns");

    private string Leader => site.Address("pg1");

    private string Dr1 => site.Address("dr1");

    public Task InitializeAsync() => site.StartAsync();

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task LabUp_PublishesTheAuthority_AndTheServiceRecordPointsAtTheLeader()
    {
        var state = JsonNode.Parse(File.ReadAllText(site.StatePath("platform__network__powerdns-authority")))!;
        state["status"]!.GetValue<string>().ShouldBe("ok");
        state["outputs"]!["api_url"]!.GetValue<string>().ShouldBe($"http://{DnsHost}:8081");
        state["outputs"]!["api_key_env"]!.GetValue<string>().ShouldBe("HYOPS_LAB_PDNS_API_KEY");
        (await DigAsync()).ShouldBe(Leader);

        var status = await site.HyopsAsync("lab", "status");
        status.ExitCode.ShouldBe(0, status.ToString());
        (status.StdOut + status.StdErr).ShouldContain("pdns");
    }

    [Fact]
    public async Task Deploy_ToANewTarget_IsServedByDns_StatusOk_AndDestroyLeavesTheRecord()
    {
        var r = await DeployAsync($"target_host: \"{Dr1}\"\ndesired: \"dr\"");

        r.ExitCode.ShouldBe(0, r.ToString());
        (await DigAsync()).ShouldBe(Dr1);
        var state = JsonNode.Parse(File.ReadAllText(site.StatePath("platform__network__dns-routing")))!;
        state["outputs"]!["target"]!.GetValue<string>().ShouldBe(Dr1);
        state["outputs"]!["previous_target"]!.GetValue<string>().ShouldBe(Leader);
        state["outputs"]!["verified"]!.GetValue<bool>().ShouldBeTrue();

        var status = await site.HyopsAsync("module", "status", "--module", Module);
        status.ExitCode.ShouldBe(0, status.ToString());

        var destroy = await site.HyopsAsync("module", "destroy", "--module", Module);
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        (await DigAsync()).ShouldBe(Dr1);
        var key = await ApiKeyAsync();
        site.RuntimeFiles().ShouldAllBe(f => !f.Text.Contains(key));
    }

    [Fact]
    public async Task Deploy_FromTheEndpointState_ThenDriftIsDetected_AndRevertOnDestroyRestores()
    {
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        var r = await DeployAsync("target_host: \"\"\nendpoint_state_ref: \"platform/onprem/postgresql-ha\"\nendpoint_host_output_key: \"leader_host\"");
        r.ExitCode.ShouldBe(0, r.ToString());
        (await DigAsync()).ShouldBe(Leader);

        // Someone moves the record behind hyops' back: status reports drift (exit 9).
        var client = PowerDnsClient.Create($"http://{DnsHost}:8081", "localhost", await ApiKeyAsync(), TimeSpan.FromSeconds(5));
        await client.ReplaceRrsetAsync("hyops.lab.", Fqdn, "A", 30, [site.Address("managed")], CancellationToken.None);
        var drift = await site.HyopsAsync("module", "status", "--module", Module);
        drift.ExitCode.ShouldBe(9, drift.ToString());
        drift.StdErr.ShouldContain("HYO6011");

        (await DeployAsync($"target_host: \"{site.Address("dr2")}\"")).ExitCode.ShouldBe(0);
        var revert = await site.HyopsWithAsync(site.Environment, "module", "destroy", "--module", Module, "--inputs", Inputs("revert_on_destroy: true"));
        revert.ExitCode.ShouldBe(0, revert.ToString());
        (await DigAsync()).ShouldBe(site.Address("managed"));
    }

    [Fact]
    public async Task Deploy_WithPdnsStopped_ExitsWithPublicationFailure_AndStateError()
    {
        await site.StopServiceAsync("dns", "pdns");

        var r = await DeployAsync($"target_host: \"{Dr1}\"");

        r.ExitCode.ShouldBe(9, r.ToString());
        r.StdErr.ShouldContain("HYO4010");
        var state = JsonNode.Parse(File.ReadAllText(site.StatePath("platform__network__dns-routing")))!;
        state["status"]!.GetValue<string>().ShouldBe("error");
        state["error"]!["code"]!.GetValue<string>().ShouldBe("HYO4010");

        var status = await site.HyopsAsync("lab", "status");
        status.ExitCode.ShouldBe(4, status.ToString());
    }

    /// <summary>The API key, from pdns' own config on the DNS host (the only file that holds it there).</summary>
    private async Task<string> ApiKeyAsync()
    {
        var line = await site.SshAsync("dns", "grep '^api-key=' /etc/powerdns/pdns.conf");
        return line["api-key=".Length..];
    }

    private Task<CliResult> DeployAsync(string yaml) =>
        site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", Inputs(yaml));

    private string Inputs(string yaml)
    {
        var file = Path.Combine(site.Dir, $"inputs-{Guid.NewGuid():N}.yml");
        File.WriteAllText(file, yaml);
        return file;
    }

    private async Task<string> DigAsync()
    {
        var r = await new LocalProcessRunner().RunAsync(new ProcessSpec("dig", ["@" + DnsHost, "-p", "53", "+short", "+time=2", "+tries=1", Fqdn]), CancellationToken.None);
        r.ExitCode.ShouldBe(0, r.StdErr + r.StdOut);
        return r.StdOut.Trim();
    }
}
