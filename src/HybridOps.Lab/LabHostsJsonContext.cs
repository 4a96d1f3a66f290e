using System.Text.Json.Serialization;

namespace HybridOps.Lab;

/// <summary>Source-generated metadata for the lab's hosts record: snake_case, indented, nulls written.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Hosts.LabHostsRecord))]
internal sealed partial class LabHostsJsonContext : JsonSerializerContext;
