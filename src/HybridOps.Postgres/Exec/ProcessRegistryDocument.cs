using System.Text.Json.Serialization;

namespace HybridOps.Postgres.Exec;

/// <summary>The whole processes.json document: <c>{"processes":[...]}</c>.</summary>
internal sealed class ProcessRegistryDocument
{
    [JsonPropertyName("processes")]
    public List<RegisteredProcess> Processes { get; init; } = [];
}
