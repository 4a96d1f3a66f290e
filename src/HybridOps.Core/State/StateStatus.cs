namespace HybridOps.Core.State;

/// <summary>Lifecycle status of a module instance's state. `running` is written before any mutation.</summary>
public static class StateStatus
{
    public const string Running = "running";
    public const string Ok = "ok";
    public const string Error = "error";
    public const string Partial = "partial";
    public const string Destroyed = "destroyed";

    /// <summary>Blueprints only: a step failed after the old primary was fenced and nothing was promoted (exit 13).</summary>
    public const string Fenced = "fenced";
}
