namespace HybridOps.Core.Contracts;

/// <summary>A declared guard a step's module will demand at deploy, and whether the inputs given so far satisfy it.</summary>
public sealed record GuardDemand(string Input, string Requirement, bool Satisfied)
{
    public static GuardDemand Of(GuardSpec guard, bool satisfied)
    {
        ArgumentNullException.ThrowIfNull(guard);
        var requirement = guard.RequireTrue ? "must be true"
            : guard.EqualsInput is not null ? $"must equal input '{guard.EqualsInput}'"
            : "must be given";
        return new GuardDemand(guard.Input, requirement, satisfied);
    }
}
