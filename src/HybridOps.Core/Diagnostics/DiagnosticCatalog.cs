namespace HybridOps.Core.Diagnostics;

/// <summary>
/// Every HYO#### diagnostic in one place. Codes are stable: never renumber, only add.
/// HYO1xxx contracts, HYO2xxx inputs and state, HYO3xxx guards, HYO4xxx connectivity,
/// HYO5xxx source/target configuration, HYO6xxx topology and readiness, HYO7xxx runtime.
/// docs/diagnostics.md is generated from this table (hyops diagnostics --output json).
/// </summary>
public static class DiagnosticCatalog
{
    // Contracts (spec.yml / blueprint.yml)
    public static readonly DiagnosticDescriptor ContractNotFound = new("HYO1001", ExitCode.InputError,
        "contract file not found", "check the ref spelling; list known refs with `hyops module list` or `hyops blueprint list`");
    public static readonly DiagnosticDescriptor YamlSyntax = new("HYO1002", ExitCode.InputError,
        "YAML syntax error", "fix the YAML at the reported line (indentation, quoting, tabs)");
    public static readonly DiagnosticDescriptor MissingField = new("HYO1003", ExitCode.InputError,
        "required field missing", "add the field; see docs/contracts.md for the shape");
    public static readonly DiagnosticDescriptor InvalidField = new("HYO1004", ExitCode.InputError,
        "field has the wrong type or value", "see docs/contracts.md for the allowed values");
    public static readonly DiagnosticDescriptor UnsupportedApiVersion = new("HYO1005", ExitCode.InputError,
        "unsupported api_version", "use `api_version: hybridops/v1`");
    public static readonly DiagnosticDescriptor WrongKind = new("HYO1006", ExitCode.InputError,
        "wrong kind", "module specs use `kind: ModuleSpec`, blueprints `kind: BlueprintSpec`");
    public static readonly DiagnosticDescriptor UnknownModuleRef = new("HYO1007", ExitCode.InputError,
        "unknown module ref", "the ref must name a directory under modules/ with a spec.yml and a registered handler");
    public static readonly DiagnosticDescriptor DependencyCycle = new("HYO1008", ExitCode.InputError,
        "dependency cycle between blueprint steps", "remove one of the `requires` edges named in the message");
    public static readonly DiagnosticDescriptor UnknownDependency = new("HYO1009", ExitCode.InputError,
        "step requires an unknown step id", "`requires` must list ids of steps in the same blueprint");
    public static readonly DiagnosticDescriptor DuplicateStepId = new("HYO1010", ExitCode.InputError,
        "duplicate step id", "give every step a unique id");
    public static readonly DiagnosticDescriptor ModuleRefMismatch = new("HYO1011", ExitCode.InputError,
        "module_ref does not match the spec's directory", "module_ref must equal the path of the spec under modules/");
    public static readonly DiagnosticDescriptor UnknownAction = new("HYO1012", ExitCode.InputError,
        "unknown action", "use one of the lifecycle verbs the module declares (deploy, status, destroy)");
    public static readonly DiagnosticDescriptor BlueprintRefMismatch = new("HYO1013", ExitCode.InputError,
        "blueprint_ref does not match the blueprint's directory", "blueprint_ref must equal `<scope>/<name>@vN` of its directory");

    // Inputs and state
    public static readonly DiagnosticDescriptor InputsFileInvalid = new("HYO2001", ExitCode.InputError,
        "inputs file is not valid", "the inputs file must be a YAML/JSON mapping of input names to values");
    public static readonly DiagnosticDescriptor InputRequired = new("HYO2002", ExitCode.InputError,
        "required input missing", "set it in --inputs FILE or HYOPS_INPUT_<name>");
    public static readonly DiagnosticDescriptor InputInvalid = new("HYO2003", ExitCode.InputError,
        "input has an invalid value", "see the module's spec.yml for the allowed values");
    public static readonly DiagnosticDescriptor LiteralSecret = new("HYO2004", ExitCode.InputError,
        "a secret value was given literally in inputs", "pass the NAME of an environment/vault key in `<name>_env` instead; set the value with `hyops secrets set`");
    public static readonly DiagnosticDescriptor StateRefInvalid = new("HYO2005", ExitCode.InputError,
        "state reference is malformed", "use `<module_ref>` or `<module_ref>#<instance>`; instance names are [a-z0-9][a-z0-9_-]{0,62}");
    public static readonly DiagnosticDescriptor StateAbsent = new("HYO2006", ExitCode.StateNotReady,
        "referenced state is absent", "deploy the upstream module first (or run `hyops lab up` for the embedded lab)");
    public static readonly DiagnosticDescriptor StateNotOk = new("HYO2007", ExitCode.StateNotReady,
        "referenced state is not ok", "fix and redeploy the upstream module; `hyops module status` shows why it is not ok");
    public static readonly DiagnosticDescriptor StateContractVersion = new("HYO2008", ExitCode.StateNotReady,
        "referenced state has an incompatible contract_version", "redeploy the upstream module with this hyops version, or use a compatible hyops");
    public static readonly DiagnosticDescriptor StateInstanceInvalid = new("HYO2009", ExitCode.InputError,
        "state instance name is invalid", "instance names are [a-z0-9][a-z0-9_-]{0,62}");
    public static readonly DiagnosticDescriptor StateCorrupt = new("HYO2010", ExitCode.StateNotReady,
        "state file is unreadable", "restore it from the run records under logs/, or redeploy the module");

    // Guards
    public static readonly DiagnosticDescriptor ConfirmationRequired = new("HYO3001", ExitCode.GuardRefused,
        "explicit confirmation required", "set the named confirmation input to true after reviewing the plan");

    // Connectivity
    public static readonly DiagnosticDescriptor PatroniUnreachable = new("HYO4001", ExitCode.ConnectivityFailure,
        "Patroni REST API unreachable", "check that Patroni runs on the member and the API address/port in the inventory are right");
    public static readonly DiagnosticDescriptor PostgresUnreachable = new("HYO4002", ExitCode.ConnectivityFailure,
        "PostgreSQL member unreachable", "check that PostgreSQL runs on the member and listens on the inventory address/port");
    public static readonly DiagnosticDescriptor LabNotRunning = new("HYO4003", ExitCode.ConnectivityFailure,
        "the embedded lab is not running", "run `hyops lab up`");

    // Configuration
    public static readonly DiagnosticDescriptor WalLevelTooLow = new("HYO5001", ExitCode.ConfigurationFailure,
        "wal_level is too low", "set wal_level (replica or logical) through Patroni's DCS config and restart the cluster");
    public static readonly DiagnosticDescriptor AuthenticationFailed = new("HYO5002", ExitCode.ConfigurationFailure,
        "PostgreSQL rejected the credentials", "check the secret named by the *_env input and the member's pg_hba");
    public static readonly DiagnosticDescriptor SourceMisconfigured = new("HYO5003", ExitCode.ConfigurationFailure,
        "source cluster configuration does not meet the contract", "see the failed checks in the run record");

    // Topology and readiness
    public static readonly DiagnosticDescriptor MultipleWritable = new("HYO6001", ExitCode.AmbiguousTopology,
        "more than one writable member: write topology is ambiguous", "fence or demote the member promoted outside Patroni; nothing was published");
    public static readonly DiagnosticDescriptor NoWritable = new("HYO6002", ExitCode.AmbiguousTopology,
        "no writable member found", "check Patroni: the cluster has no leader");
    public static readonly DiagnosticDescriptor LeaderMismatch = new("HYO6003", ExitCode.AmbiguousTopology,
        "Patroni's leader and the writable member disagree", "check Patroni /cluster and pg_is_in_recovery() on each member");
    public static readonly DiagnosticDescriptor NotReady = new("HYO6004", ExitCode.ReadinessFailure,
        "the cluster is not ready", "see the failed readiness checks in the run record");

    // Runtime
    public static readonly DiagnosticDescriptor LockHeld = new("HYO7001", ExitCode.LockHeld,
        "another hyops run holds the lock for this runtime root", "wait for it to finish; the lock file names its pid");
    public static readonly DiagnosticDescriptor SecretNotFound = new("HYO7002", ExitCode.SecretUnavailable,
        "secret not found", "set the environment variable or run `hyops secrets set NAME`");
    public static readonly DiagnosticDescriptor VaultUnavailable = new("HYO7003", ExitCode.SecretUnavailable,
        "vault unavailable", "set HYOPS_VAULT_PASSWORD or HYOPS_VAULT_PASSWORD_COMMAND");
    public static readonly DiagnosticDescriptor RuntimeRootInvalid = new("HYO7004", ExitCode.InputError,
        "runtime root is not usable", "pass --root DIR with a writable directory");
    public static readonly DiagnosticDescriptor Cancelled = new("HYO7005", ExitCode.Cancelled,
        "cancelled by the operator", "rerun when ready; state shows what completed");
    public static readonly DiagnosticDescriptor LabFailure = new("HYO7006", ExitCode.ReadinessFailure,
        "the embedded lab failed to start", "see the lab logs named in the message; `hyops lab down` cleans up");

    // Manual gate (core/shared/manual-gate) and endpoint publication (platform/network/dns-routing)
    public static readonly DiagnosticDescriptor ConfirmationTargetMismatch = new("HYO3002", ExitCode.GuardRefused,
        "the typed confirmation target does not match the expected target", "type the exact target identity (confirm_target) shown by the plan or state");
    public static readonly DiagnosticDescriptor ConfirmationNonceInvalid = new("HYO3003", ExitCode.GuardRefused,
        "the confirmation nonce is missing, stale or already used", "run `hyops module status` of the gate to get a fresh nonce and pass it as confirm_nonce");
    public static readonly DiagnosticDescriptor OutsideWindow = new("HYO3004", ExitCode.GuardRefused,
        "outside the allowed maintenance window", "run inside window_start..window_end, or change the window after review");
    public static readonly DiagnosticDescriptor PublicationFailed = new("HYO4010", ExitCode.PublicationFailure,
        "endpoint publication failed (DNS authority API unreachable or refused the change)", "check the DNS authority (PowerDNS API URL, API key env name) in its published state; the record was not verified");
    public static readonly DiagnosticDescriptor PublicationNotVerified = new("HYO6010", ExitCode.PublicationFailure,
        "the published record was not served by the DNS authority in time", "query the authority (dig @host fqdn) and check its logs; nothing else was changed");
    public static readonly DiagnosticDescriptor PublicationDrift = new("HYO6011", ExitCode.PublicationFailure,
        "the DNS answer differs from the published routing state", "redeploy the dns-routing module to restore the published target, or investigate who changed the record");

    // Managed DR (premium lane): org/gcp/cloudsql-postgresql, org/gcp/cloudsql-external-replica, org/gcp/cloudsql-promote
    public static readonly DiagnosticDescriptor ProviderNotAvailable = new("HYO2050", ExitCode.InputError,
        "the managed-PostgreSQL provider is not available in this build", "use provider: local (the embedded provider); provider gcp comes with the Cloud SQL Admin / DMS implementation");
    public static readonly DiagnosticDescriptor DrSourceNotReady = new("HYO2051", ExitCode.StateNotReady,
        "the DR source contract is not ready", "run platform/onprem/postgresql-dr-source until it publishes ready: true (see its preflight)");
    public static readonly DiagnosticDescriptor ManagedTargetMismatch = new("HYO2052", ExitCode.InputError,
        "the referenced states do not describe the same managed instance", "point target_state_ref and replica_state_ref at the same instance");
    public static readonly DiagnosticDescriptor DestroyConfirmRequired = new("HYO3030", ExitCode.GuardRefused,
        "data-destructive action refused: the confirmation does not name the instance", "set destroy_confirm (or drop_target_data_confirm) to the exact instance_name after review");
    public static readonly DiagnosticDescriptor PromoteConfirmRequired = new("HYO3031", ExitCode.GuardRefused,
        "promotion refused: promote_confirm does not name the instance", "set promote_confirm to the exact instance_name of the standby after the old primary is fenced");
    public static readonly DiagnosticDescriptor ManagedInstanceUnreachable = new("HYO4040", ExitCode.ConnectivityFailure,
        "the managed PostgreSQL instance is unreachable", "check the instance state (module status) and that this host's address is in authorized_networks");
    public static readonly DiagnosticDescriptor ManagedInstanceFailed = new("HYO5040", ExitCode.ConfigurationFailure,
        "the managed-PostgreSQL provider could not create or change the instance", "see the provider action (argv, rc, stderr) in the run record");
    public static readonly DiagnosticDescriptor SchemaCopyFailed = new("HYO5041", ExitCode.ConfigurationFailure,
        "the schema copy from the source to the managed instance failed", "see the pg_dump/psql action in the run record; the target database must be empty");
    public static readonly DiagnosticDescriptor ReplicationSetupFailed = new("HYO5042", ExitCode.ConfigurationFailure,
        "logical replication could not be set up", "see the failed check; source tables need a primary key (or replica identity) and the replication role needs SELECT");
    public static readonly DiagnosticDescriptor ManagedInstanceNotRunnable = new("HYO6040", ExitCode.ReadinessFailure,
        "the managed instance is not RUNNABLE", "deploy org/gcp/cloudsql-postgresql again (it starts a stopped instance) or inspect its log");
    public static readonly DiagnosticDescriptor InitialSyncTimeout = new("HYO6041", ExitCode.ReadinessFailure,
        "the initial table copy did not finish in time", "raise sync_timeout_s or check the subscription workers in the target's log; status shows per-table states");
    public static readonly DiagnosticDescriptor PromoteLagExceeded = new("HYO6042", ExitCode.ReadinessFailure,
        "promotion refused: replication lag exceeds max_lag_bytes", "wait for the standby to catch up (module status shows lag) or raise max_lag_bytes after review; nothing was changed");
    public static readonly DiagnosticDescriptor PromoteBarrierTimeout = new("HYO6043", ExitCode.ReadinessFailure,
        "promotion refused: the barrier row did not reach the standby in time", "check the subscription (module status); raise barrier_timeout_s after review; nothing was changed");
    public static readonly DiagnosticDescriptor ReplicationUnhealthy = new("HYO6044", ExitCode.ReadinessFailure,
        "the logical replication to the managed standby is not healthy", "see replication_state and the per-database checks; enable the subscription or re-establish");
    public static readonly DiagnosticDescriptor PromoteSourceUnreachable = new("HYO6045", ExitCode.ReadinessFailure,
        "promotion refused: the source is unreachable, so lag cannot be proven", "set allow_source_unreachable: true to promote on the last known replication state (recorded as such)");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = typeof(DiagnosticCatalog)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .OrderBy(d => d.Code, StringComparer.Ordinal)
        .ToArray();
}
