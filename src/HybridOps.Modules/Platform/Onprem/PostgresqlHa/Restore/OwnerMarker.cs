using System.Text.Json;
using System.Text.Json.Serialization;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// What a restore/reseed run writes on its target before it creates anything there (a file in each
/// member's directory, a key in the DCS): which module instance, apply_mode, scope and inputs built it,
/// in which run, and whether that run completed. A rerun recognises its own unfinished work by it.
/// </summary>
public sealed record OwnerMarker(
    [property: JsonPropertyName("module_ref")] string ModuleRef,
    [property: JsonPropertyName("instance")] string? Instance,
    [property: JsonPropertyName("apply_mode")] string ApplyMode,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("inputs_hash")] string InputsHash,
    [property: JsonPropertyName("completed")] bool Completed)
{
    public const string FileName = "hyops-owner.json";

    public string ToJson() => JsonSerializer.Serialize(this, OwnerMarkerJsonContext.Default.OwnerMarker);

    /// <summary>The marker in <paramref name="text"/>, or null when it is absent or not a marker.</summary>
    public static OwnerMarker? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text.Trim(), OwnerMarkerJsonContext.Default.OwnerMarker);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The marker file of a member directory, or null.</summary>
    public static OwnerMarker? ReadFrom(RestoreHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            var path = Path.Combine(host.Dir, FileName);
            return File.Exists(path) ? Parse(File.ReadAllText(path)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
