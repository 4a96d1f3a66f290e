using System.Text.Json.Serialization;

namespace HybridOps.Lab.Site;

/// <summary>&lt;lab dir&gt;/site.json: which kind of lab this is and what `up` built, so `status` and `down` need only the lab dir.</summary>
public sealed record SiteLabState
{
    public const string FileName = "site.json";

    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "hosts";

    [JsonPropertyName("block")]
    public required int Block { get; init; }

    [JsonPropertyName("cluster_name")]
    public required string ClusterName { get; init; }

    [JsonPropertyName("member_count")]
    public required int MemberCount { get; init; }

    [JsonPropertyName("with_dns")]
    public required bool WithDns { get; init; }

    /// <summary>Database hosts of the DR site (0 in a lab dir written before the DR site existed).</summary>
    [JsonPropertyName("dr_member_count")]
    public int DrMemberCount { get; init; }

    /// <summary>Whether the lab has the objstore host (Azurite and s3rver).</summary>
    [JsonPropertyName("with_object_store")]
    public bool WithObjectStore { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>The on-prem site's fault state: null (up), `failed` (power cut by `lab fail-site`) or `repaired` (`lab repair-site`: etcd only).</summary>
    [JsonPropertyName("site_status")]
    public string? SiteStatus { get; init; }

    [JsonPropertyName("started_at")]
    public DateTimeOffset StartedAt { get; init; }

    [JsonIgnore]
    public SiteLabPlan Plan => new(Block, MemberCount, WithDns, DrMemberCount, WithObjectStore);

    public static string PathIn(string labDir) => System.IO.Path.Combine(labDir, FileName);

    public static SiteLabState? Load(string labDir) =>
        File.Exists(PathIn(labDir)) ? System.Text.Json.JsonSerializer.Deserialize(File.ReadAllText(PathIn(labDir)), SiteLabJson.Default.SiteLabState) : null;

    public void Save(string labDir)
    {
        Directory.CreateDirectory(labDir);
        var temp = PathIn(labDir) + ".tmp";
        File.WriteAllText(temp, System.Text.Json.JsonSerializer.Serialize(this, SiteLabJson.Default.SiteLabState));
        File.Move(temp, PathIn(labDir), overwrite: true);
    }
}

[JsonSerializable(typeof(SiteLabState))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class SiteLabJson : JsonSerializerContext;
