using System.Text.Json.Serialization;

namespace HybridOps.Postgres.Exec;

/// <summary>Source-generated metadata for processes.json (names fixed by attributes, indented).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(ProcessRegistryDocument))]
internal sealed partial class ProcessRegistryJsonContext : JsonSerializerContext;
