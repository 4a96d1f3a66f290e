using System.Text.Json.Serialization;
using HybridOps.Lab.Load;

namespace HybridOps.Lab;

/// <summary>Source-generated metadata for the Lab types written with hyops' JSON policy (see HybridOps.Core.Json).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WriteLoadSummary))]
public sealed partial class LabJsonContext : JsonSerializerContext;
