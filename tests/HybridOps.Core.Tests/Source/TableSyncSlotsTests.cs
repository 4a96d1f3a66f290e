using System.Text.Json.Nodes;
using HybridOps.Modules.Org.Gcp.CloudsqlExternalReplica;

namespace HybridOps.Core.Tests.Source;

public sealed class TableSyncSlotsTests
{
    [Fact]
    public void WithMatchers_AddsOnePerDatabase_KeepsTheOperatorsOwn_AndIsIdempotent()
    {
        var operatorOwn = JsonNode.Parse("""[{"name":"debezium","type":"logical"}]""")!.AsArray();

        var once = TableSyncSlots.WithMatchers(operatorOwn, ["appdb", "billing"]);
        var twice = TableSyncSlots.WithMatchers(once, ["appdb", "billing"]);

        once.Count.ShouldBe(3);
        once[0]!["name"]!.GetValue<string>().ShouldBe("debezium");
        once[1]!.ToJsonString().ShouldBe("""{"type":"logical","database":"appdb","plugin":"pgoutput"}""");
        JsonNode.DeepEquals(once, twice).ShouldBeTrue();
        operatorOwn.Count.ShouldBe(1);
    }

    [Fact]
    public void WithoutMatchers_RemovesOnlyTheLinksOwn()
    {
        var current = TableSyncSlots.WithMatchers(JsonNode.Parse("""[{"name":"debezium","type":"logical"}]""")!.AsArray(), ["appdb", "billing"]);

        var left = TableSyncSlots.WithoutMatchers(current, ["appdb"]);

        left.Select(m => m!.ToJsonString()).ShouldBe(["""{"name":"debezium","type":"logical"}""", """{"type":"logical","database":"billing","plugin":"pgoutput"}"""]);
        TableSyncSlots.WithoutMatchers(null, ["appdb"]).Count.ShouldBe(0);
    }
}
