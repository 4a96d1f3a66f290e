using System.Text.Json.Nodes;

namespace HybridOps.Modules.Common;

/// <summary>Small, null-tolerant readers for published outputs.</summary>
internal static class JsonRead
{
    public static string? Str(this JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    public static int? Int(this JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : node?[key] is JsonValue l && l.TryGetValue<long>(out var x) ? (int)x : null;

    public static IEnumerable<JsonObject> Objects(this JsonNode? node, string key) =>
        node?[key] is JsonArray a ? a.OfType<JsonObject>() : [];

    public static JsonArray ToJsonArray(this IEnumerable<string> items) => new(items.Select(i => (JsonNode?)i).ToArray());
}
