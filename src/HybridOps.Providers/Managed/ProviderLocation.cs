using System.Text.Json.Nodes;

namespace HybridOps.Providers.Managed;

/// <summary>
/// Provider coordinates published in the instance contract so later modules reach the same provider:
/// for local, the data root and the managed site's address prefix; for gcp, project and region.
/// </summary>
public sealed record ProviderLocation(string Provider, string DataRoot, string AddressPrefix)
{
    public JsonObject ToJson() => new() { ["provider"] = Provider, ["data_root"] = DataRoot, ["address_prefix"] = AddressPrefix };

    public static ProviderLocation? FromJson(JsonNode? node) =>
        node is JsonObject o && o["provider"]?.GetValue<string>() is { } p
            ? new ProviderLocation(p, o["data_root"]?.GetValue<string>() ?? "", o["address_prefix"]?.GetValue<string>() ?? "")
            : null;
}
