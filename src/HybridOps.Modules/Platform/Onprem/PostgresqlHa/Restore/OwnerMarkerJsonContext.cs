using System.Text.Json.Serialization;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>Source-generated JSON metadata for <see cref="OwnerMarker"/> (AOT-safe).</summary>
[JsonSerializable(typeof(OwnerMarker))]
internal sealed partial class OwnerMarkerJsonContext : JsonSerializerContext;
