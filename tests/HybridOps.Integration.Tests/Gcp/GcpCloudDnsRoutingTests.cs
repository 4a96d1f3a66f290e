using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Gcp.Fake;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// platform/network/dns-routing with backend clouddns through the CLI, against the fake Cloud DNS
/// (127.0.255.1-4; no lab needed): deploy sends changes.create with the new rrset as addition and
/// exactly the current rrset as deletion, polls the change until done and reads it back; status finds
/// drift; a 403 and a rejected change each give their own diagnostic and exit code and leave the
/// record as it was; destroy reverts; no key or token anywhere.
/// </summary>
public sealed class GcpCloudDnsRoutingTests : IAsyncLifetime
{
    private const string Module = "platform/network/dns-routing";
    private const string Zone = "hyops-lab";
    private const string Fqdn = "db.hyops.lab.";
    private const string OnPrem = "127.0.251.11";
    private const string Managed = "127.0.253.11";
    private readonly Site site = Site.WithoutLab();
    private GcpFakeSite gcp = null!;

    private FakeGoogleCloud Cloud => gcp.Fake;

    public Task InitializeAsync()
    {
        gcp = new GcpFakeSite(site, apiPrefix: "127.0.255", instancePrefix: "127.0.253");
        Cloud.Dns.AddZone(Zone);
        Cloud.Dns.Zones[Zone][$"{Fqdn} A"] = Rrset(OnPrem);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await gcp.DisposeAsync();
        await site.DisposeAsync();
    }

    [Fact]
    public async Task Deploy_ReplacesTheRecordWithTheExactCurrentRrsetAsDeletion_StatusFindsDrift_DestroyReverts()
    {
        var deployed = await RoutingAsync("deploy", new JsonObject { ["target_host"] = Managed });

        deployed.ExitCode.ShouldBe(0, deployed.ToString());
        var outputs = JsonNode.Parse(deployed.StdOut)!["outputs"]!;
        outputs["target"]!.GetValue<string>().ShouldBe(Managed);
        outputs["previous_target"]!.GetValue<string>().ShouldBe(OnPrem);
        outputs["verified_answer"]!.GetValue<string>().ShouldBe(Managed);
        outputs["dns_server"]!.GetValue<string>().ShouldBe("clouddns:hyops-test-project/hyops-lab");
        var change = Cloud.Calls("dns", "POST", "/managedZones/hyops-lab/changes").Single().Body!;
        JsonNode.DeepEquals(change["deletions"], new JsonArray(Rrset(OnPrem))).ShouldBeTrue(change.ToJsonString());
        change["additions"]![0]!["rrdatas"]!.ToJsonString().ShouldBe($"[\"{Managed}\"]");
        Cloud.Calls("dns", "GET", "/managedZones/hyops-lab/changes/").ShouldNotBeEmpty();
        Record().ShouldBe(Managed);

        (await RoutingAsync("status", [])).ExitCode.ShouldBe(0);
        Cloud.Dns.Zones[Zone].Values.Single()["rrdatas"] = new JsonArray("127.0.251.99");
        var drift = await RoutingAsync("status", []);
        drift.ExitCode.ShouldBe(9, drift.ToString());
        drift.StdErr.ShouldContain("HYO6011");
        Cloud.Dns.Zones[Zone].Values.Single()["rrdatas"] = new JsonArray(Managed);

        var reverted = await RoutingAsync("destroy", new JsonObject { ["revert_on_destroy"] = true });
        reverted.ExitCode.ShouldBe(0, reverted.ToString());
        Record().ShouldBe(OnPrem);
        Cloud.Violations.ShouldBeEmpty();
        gcp.AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task A403AndARejectedChange_EachGiveTheirOwnDiagnosticAndExitCode_AndLeaveTheRecord()
    {
        Cloud.Inject(new FakeFault(FakeFaultKind.Status, "POST dns", HttpStatus: 403, RpcStatus: "PERMISSION_DENIED"));
        var denied = await RoutingAsync("deploy", new JsonObject { ["target_host"] = Managed });
        Cloud.Inject(new FakeFault(FakeFaultKind.Status, "POST dns", HttpStatus: 412, RpcStatus: "FAILED_PRECONDITION"));
        var rejected = await RoutingAsync("deploy", new JsonObject { ["target_host"] = Managed });

        denied.ExitCode.ShouldBe(15, denied.ToString());
        denied.StdErr.ShouldContain("HYO8004");
        rejected.ExitCode.ShouldBe(9, rejected.ToString());
        rejected.StdErr.ShouldContain("HYO8012");
        Record().ShouldBe(OnPrem);
        Cloud.Calls("dns", "GET", "/changes/").ShouldBeEmpty();
        gcp.AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task MissingCloudDnsInputs_AreRefusedBeforeAnyCall()
    {
        var r = await gcp.ModuleAsync("deploy", Module, new JsonObject { ["backend"] = "clouddns", ["powerdns_state_ref"] = "", ["target_host"] = Managed });

        r.ExitCode.ShouldNotBe(0, r.ToString());
        r.StdErr.ShouldContain("cloud_dns.managed_zone");
        Cloud.Requests.ShouldBeEmpty();
    }

    private Task<CliResult> RoutingAsync(string action, JsonObject inputs)
    {
        inputs["backend"] = "clouddns";
        inputs["powerdns_state_ref"] = "";
        inputs["cloud_dns"] = new JsonObject
        {
            ["managed_zone"] = Zone,
            ["zone"] = "hyops.lab.",
            ["gcp"] = new JsonObject
            {
                ["project"] = GcpTestBed.Project, ["credentials_env"] = GcpFakeSite.KeyEnv, ["poll_interval_ms"] = 20,
                ["api_endpoints"] = new JsonObject { ["dns"] = Cloud.DnsUrl.ToString() },
            },
        };
        return gcp.ModuleAsync(action, Module, inputs);
    }

    private string Record() => string.Join(",", Cloud.Dns.Zones[Zone].Values.Single()["rrdatas"]!.AsArray().Select(d => d!.GetValue<string>()));

    private static JsonObject Rrset(string address) => new() { ["name"] = Fqdn, ["type"] = "A", ["ttl"] = 30, ["rrdatas"] = new JsonArray(address), ["kind"] = "dns#resourceRecordSet" };
}
