using System.Globalization;
using System.Text.Json.Nodes;

namespace HybridOps.Postgres.PgBackRest;

/// <summary>The latest backup set of one stanza, read from <c>pgbackrest info --output=json</c>.</summary>
public sealed record PgBackRestBackup(string Label, string Type, long Timeline, string? WalStart, string? WalStop, DateTimeOffset Started, DateTimeOffset Stopped, long? SizeBytes, long? RepoSizeBytes)
{
    /// <summary>
    /// Parses the info JSON; null when the stanza has no backup (in repository <paramref name="repoKey"/>, when given).
    /// Throws on a document of another shape.
    /// </summary>
    public static PgBackRestBackup? LatestOf(JsonNode? info, string stanza, int? repoKey = null)
    {
        var stanzaNode = PgBackRestRepoInfo.Stanza(info, stanza)
            ?? throw new InvalidDataException($"pgbackrest info has no stanza '{stanza}'");
        var last = (stanzaNode["backup"] as JsonArray)?.OfType<JsonObject>().LastOrDefault(b => repoKey is null || PgBackRestRepoInfo.RepoKey(b) == repoKey);
        if (last is null)
        {
            return null;
        }

        var walStart = (string?)last["archive"]?["start"];
        return new PgBackRestBackup(
            (string?)last["label"] ?? throw new InvalidDataException("backup without label"),
            (string?)last["type"] ?? "unknown",
            walStart is { Length: >= 8 } ? long.Parse(walStart[..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0,
            walStart,
            (string?)last["archive"]?["stop"],
            DateTimeOffset.FromUnixTimeSeconds((long?)last["timestamp"]?["start"] ?? 0),
            DateTimeOffset.FromUnixTimeSeconds((long?)last["timestamp"]?["stop"] ?? 0),
            (long?)last["info"]?["size"],
            (long?)last["info"]?["repository"]?["size"]);
    }

    /// <summary>Every backup label of the stanza (in repository <paramref name="repoKey"/>, when given), oldest first.</summary>
    public static IReadOnlyList<string> Labels(JsonNode? info, string stanza, int? repoKey = null) =>
        (PgBackRestRepoInfo.Stanza(info, stanza)?["backup"] as JsonArray)?
            .OfType<JsonObject>().Where(b => repoKey is null || PgBackRestRepoInfo.RepoKey(b) == repoKey)
            .Select(b => (string?)b["label"]).OfType<string>().ToList() ?? [];
}
