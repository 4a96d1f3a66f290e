namespace HybridOps.Core.Contracts;

/// <summary>Every field of hybridops/v1 contracts this build knows (docs/contracts.md, "Fields").</summary>
internal static class KnownFields
{
    public static readonly FieldSet ModuleRoot = FieldSet.Of("ModuleSpec",
        ["api_version", "kind", "module_ref", "metadata", "lifecycle", "apply_modes", "inputs", "execution", "outputs", "guards"],
        ["requirements", "probes", "constraints", "dependencies"]);

    public static readonly FieldSet ModuleMetadata = FieldSet.Of("metadata", ["title", "description"], ["notes"]);

    public static readonly FieldSet ModuleInputs = FieldSet.Of("inputs", ["required", "defaults"]);

    public static readonly FieldSet ModuleExecution = FieldSet.Of("execution", ["driver"], ["profile", "pack_ref", "hooks"]);

    public static readonly FieldSet ModuleOutputs = FieldSet.Of("outputs", ["contract_version", "publish"]);

    public static readonly FieldSet Guard = FieldSet.Of("guards[]",
        ["input", "equals_input", "require_true", "non_empty", "when", "actions", "description"]);

    public static readonly FieldSet BlueprintRoot = FieldSet.Of("BlueprintSpec",
        ["api_version", "kind", "blueprint_ref", "mode", "metadata", "policy", "steps"],
        ["access", "archive_before_destroy", "recoverable_secrets"]);

    public static readonly FieldSet BlueprintMetadata = FieldSet.Of("metadata", ["title", "description", "outcome"], ["notes"]);

    public static readonly FieldSet Policy = FieldSet.Of("policy", ["fail_fast", "evidence_required"], ["ipam_authority", "netbox_live_api_check"]);

    public static readonly FieldSet Step = FieldSet.Of("steps[]",
        ["id", "module_ref", "state_instance", "action", "phase", "requires", "skip_if_state_ok", "verify_state_on_skip",
         "optional", "partial_on_failure", "inputs"],
        ["with_deps", "contracts", "destroy_gate", "destroy_subsumed_by", "retain_on_destroy", "inputs_file", "execution_profile", "presentation"]);
}
