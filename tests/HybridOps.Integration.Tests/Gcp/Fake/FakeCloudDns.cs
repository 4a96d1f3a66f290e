using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>
/// Cloud DNS v1 as documented: resourceRecordSets.list by name/type, changes.create applied atomically
/// (a deletion must match the current rrset exactly, else 412 conditionNotMet; an addition over an
/// existing rrset without its deletion is 409 alreadyExists), changes.get pending -> done.
/// </summary>
public sealed class FakeCloudDns(string project)
{
    private readonly ConcurrentDictionary<string, JsonObject> changes = new();
    private readonly object gate = new();
    private int counter;

    /// <summary>zone -> "name type" -> rrset.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, JsonObject>> Zones { get; } = new();

    public void AddZone(string zone) => Zones.TryAdd(zone, new());

    public FakeRoute Route(FakeRequest r)
    {
        var root = $"/dns/v1/projects/{project}/managedZones/";
        if (!r.Path.StartsWith(root, StringComparison.Ordinal))
        {
            return FakeRoute.None;
        }

        var rest = r.Path[root.Length..].Split('/');
        if (!Zones.TryGetValue(rest[0], out var zone))
        {
            return new(FakeContract.NoBody, _ => Task.FromResult(FakeResponse.Error(404, "NOT_FOUND", $"The 'parameters.managedZone' resource named '{rest[0]}' does not exist.", "notFound")));
        }

        string[] rrset = ["name", "type", "ttl", "rrdatas", "kind", "signatureRrdatas"];
        return (r.Method, rest[1..]) switch
        {
            ("GET", ["rrsets"]) => new(new FakeContract(["name", "type", "maxResults", "pageToken"], [], []), _ => Task.FromResult(List(zone, r))),
            ("POST", ["changes"]) => new(new FakeContract(["clientOperationId"], [], [.. rrset.Select(f => "additions[]." + f), .. rrset.Select(f => "deletions[]." + f), "additions", "deletions", "kind"]),
                _ => Task.FromResult(Apply(zone, r.Body!))),
            ("GET", ["changes", var id]) => new(new FakeContract(["clientOperationId"], [], []), _ => Task.FromResult(GetChange(id))),
            _ => FakeRoute.None,
        };
    }

    private static FakeResponse List(ConcurrentDictionary<string, JsonObject> zone, FakeRequest r)
    {
        var items = zone.Values.Where(s => (!r.Query.TryGetValue("name", out var n) || s["name"]!.GetValue<string>() == n)
                                           && (!r.Query.TryGetValue("type", out var t) || s["type"]!.GetValue<string>() == t));
        return FakeResponse.Ok(new JsonObject { ["kind"] = "dns#resourceRecordSetsListResponse", ["rrsets"] = new JsonArray([.. items.Select(i => (JsonNode)i.DeepClone())]) });
    }

    private FakeResponse Apply(ConcurrentDictionary<string, JsonObject> zone, JsonObject body)
    {
        lock (gate)
        {
            foreach (var d in (body["deletions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var key = Key(d);
                if (!zone.TryGetValue(key, out var current) || !JsonNode.DeepEquals(Normal(current), Normal(d)))
                {
                    return FakeResponse.Error(412, "FAILED_PRECONDITION", $"The resource 'entity.change.deletions[{key}]' does not match the current record set.", "conditionNotMet");
                }
            }

            var deleted = (body["deletions"] as JsonArray ?? []).OfType<JsonObject>().Select(Key).ToHashSet();
            foreach (var a in (body["additions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (zone.ContainsKey(Key(a)) && !deleted.Contains(Key(a)))
                {
                    return FakeResponse.Error(409, "ALREADY_EXISTS", $"The resource 'entity.change.additions[{Key(a)}]' named '{a["name"]}' already exists", "alreadyExists");
                }
            }

            foreach (var key in deleted)
            {
                zone.TryRemove(key, out _);
            }

            foreach (var a in (body["additions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var set = Normal(a);
                set["kind"] = "dns#resourceRecordSet";
                zone[Key(a)] = set;
            }

            var id = (++counter).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var change = FakeOperations.Timestamp(body.DeepClone().AsObject(), "startTime");
            change["kind"] = "dns#change";
            change["id"] = id;
            change["status"] = "pending";
            changes[id] = change;
            return FakeResponse.Ok(change.DeepClone());
        }
    }

    private FakeResponse GetChange(string id)
    {
        if (!changes.TryGetValue(id, out var change))
        {
            return FakeResponse.Error(404, "NOT_FOUND", "change not found", "notFound");
        }

        var copy = change.DeepClone();
        change["status"] = "done";
        return FakeResponse.Ok(copy);
    }

    private static string Key(JsonObject set) => $"{set["name"]} {set["type"]}";

    private static JsonObject Normal(JsonObject set) => new()
    {
        ["name"] = set["name"]?.DeepClone(), ["type"] = set["type"]?.DeepClone(), ["ttl"] = set["ttl"]?.DeepClone(), ["rrdatas"] = set["rrdatas"]?.DeepClone(),
    };
}
