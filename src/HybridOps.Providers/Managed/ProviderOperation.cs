using System.Text.Json.Nodes;

namespace HybridOps.Providers.Managed;

/// <summary>An operation record (Cloud SQL's sqladmin#operation): what was done to which instance, when, and how it ended.</summary>
public sealed record ProviderOperation(
    string Id,
    string OperationType,
    string TargetId,
    string Status,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    string? Error = null)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["operation_type"] = OperationType,
        ["target_id"] = TargetId,
        ["status"] = Status,
        ["start_time"] = StartTime.ToString("O"),
        ["end_time"] = EndTime.ToString("O"),
        ["error"] = Error,
    };
}
