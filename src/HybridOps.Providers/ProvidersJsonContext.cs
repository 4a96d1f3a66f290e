using System.Text.Json.Serialization;
using HybridOps.Providers.Local;

namespace HybridOps.Providers;

/// <summary>Source-generated metadata for the provider records written with hyops' JSON policy (see HybridOps.Core.Json).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LocalInstanceRecord))]
internal sealed partial class ProvidersJsonContext : JsonSerializerContext;
