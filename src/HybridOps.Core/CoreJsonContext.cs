using System.Collections.Immutable;
using System.Text.Json.Serialization;
using HybridOps.Core.Drill;
using HybridOps.Core.Engine;
using HybridOps.Core.State;

namespace HybridOps.Core;

/// <summary>
/// Source-generated JSON metadata for every Core type hyops writes or reads, so the CLI runs as a
/// Native AOT binary with reflection-based serialization off. Options match <see cref="Json.Options"/>;
/// the encoder and indentation come from the writer in <see cref="Json"/>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModuleState))]
[JsonSerializable(typeof(ModuleRunResult))]
[JsonSerializable(typeof(BlueprintRunResult))]
[JsonSerializable(typeof(ImmutableArray<PlannedStep>))]
[JsonSerializable(typeof(List<StepResult>))]
[JsonSerializable(typeof(DrillReport))]
[JsonSerializable(typeof(DrillHistory))]
[JsonSerializable(typeof(AckRecord))]
[JsonSerializable(typeof(LoadFailureRecord))]
[JsonSerializable(typeof(HybridOps.Core.Dr.DrStatusReport))]
[JsonSerializable(typeof(HybridOps.Core.Dr.DrDecision))]
public sealed partial class CoreJsonContext : JsonSerializerContext;
