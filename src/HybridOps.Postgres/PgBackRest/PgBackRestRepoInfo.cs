using System.Text.Json.Nodes;

namespace HybridOps.Postgres.PgBackRest;

/// <summary>
/// One repository of a stanza as <c>pgbackrest info --output=json</c> reports it: its status and the WAL
/// range of the latest archive id it holds. Entries without a database.repo-key (one repository) are repo 1.
/// </summary>
public sealed record PgBackRestRepoInfo(int Key, string? Status, string? ArchiveId, string? WalMin, string? WalMax)
{
    public static PgBackRestRepoInfo Of(JsonNode? info, string stanza, int key)
    {
        var node = Stanza(info, stanza);
        var archive = (node?["archive"] as JsonArray)?.OfType<JsonObject>().LastOrDefault(a => RepoKey(a) == key);
        var repo = (node?["repo"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(r => ((int?)r["key"] ?? 1) == key);
        var status = (string?)repo?["status"]?["message"] ?? (key == 1 ? (string?)node?["status"]?["message"] : null);
        return new PgBackRestRepoInfo(key, status, (string?)archive?["id"], (string?)archive?["min"], (string?)archive?["max"]);
    }

    /// <summary>The repository an info entry (a backup or an archive) belongs to.</summary>
    public static int RepoKey(JsonObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (int?)entry["database"]?["repo-key"] ?? 1;
    }

    internal static JsonObject? Stanza(JsonNode? info, string stanza) =>
        (info as JsonArray)?.OfType<JsonObject>().FirstOrDefault(s => (string?)s["name"] == stanza);
}
