namespace HybridOps.Core.Tests.Support;

/// <summary>Contract texts for test content roots.</summary>
internal static class Specs
{
    /// <summary>A ModuleSpec for the echo handler (any module ref).</summary>
    public static string Echo(string moduleRef = EchoHandler.Ref) => $"""
        api_version: hybridops/v1
        kind: ModuleSpec
        module_ref: "{moduleRef}"
        metadata:
          title: "Echo (test)"
        lifecycle: [deploy, status, destroy]
        inputs:
          required: [message]
          defaults:
            message: "hello"
            outcome: "ok"
            fail_with: ""
            token_env: ""
            dep_state_ref: ""
            reject: false
        execution:
          driver: "hyops/csharp"
        outputs:
          contract_version: "echo/v1"
          publish: [message, action, token]
        """;
}
