using System.Text.Json.Serialization;

namespace HybridOps.Postgres.Hosts;

/// <summary>Source-generated JSON metadata for service definition files (AOT-safe).</summary>
[JsonSerializable(typeof(ServiceUnit))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class ServiceDefinitionsJsonContext : JsonSerializerContext;
