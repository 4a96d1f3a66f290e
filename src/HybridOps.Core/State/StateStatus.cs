namespace HybridOps.Core.State;

/// <summary>Lifecycle status of a module instance's state. `running` is written before any mutation.</summary>
public static class StateStatus
{
    public const string Running = "running";
    public const string Ok = "ok";
    public const string Error = "error";
    public const string Partial = "partial";
    public const string Destroyed = "destroyed";
}
