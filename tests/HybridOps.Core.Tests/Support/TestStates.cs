using System.Text.Json.Nodes;
using HybridOps.Core.State;

namespace HybridOps.Core.Tests.Support;

/// <summary>Published module states for tests that set up a runtime root by hand.</summary>
public static class TestStates
{
    /// <summary>An `ok` deploy state of <paramref name="moduleRef"/> (instance optional) publishing <paramref name="outputs"/> under <paramref name="contract"/>.</summary>
    public static ModuleState Ok(string moduleRef, string? instance, string contract, JsonObject outputs)
    {
        outputs["contract_version"] = contract;
        return new ModuleState
        {
            ModuleRef = moduleRef, Instance = instance, Status = StateStatus.Ok, Action = "deploy", RunId = "test", UpdatedAt = DateTimeOffset.UnixEpoch,
            ContractVersion = contract, Outputs = outputs,
        };
    }
}
