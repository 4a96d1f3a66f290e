using System.Text.Json.Serialization;

namespace HybridOps.Lab;

/// <summary>Source-generated metadata for lab.json: snake_case, indented, nulls written.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LabState))]
[JsonSerializable(typeof(Hosts.LabHostsRecord))]
internal sealed partial class LabStateJsonContext : JsonSerializerContext;
