namespace HybridOps.Core.Diagnostics;

/// <summary>
/// Every HYO#### diagnostic in one place. Codes are stable: never renumber, only add.
/// HYO1xxx contracts, HYO2xxx inputs and state, HYO3xxx guards, HYO4xxx connectivity,
/// HYO5xxx source/target configuration, HYO6xxx topology and readiness, HYO7xxx runtime,
/// HYO8000-HYO8019 Google Cloud APIs (Cloud SQL Admin, Database Migration Service, Cloud DNS) and the DMS source prerequisites.
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

    // Contract loader limits and upstream compatibility (HYO1020-HYO1049; docs/contracts.md)
    public static readonly DiagnosticDescriptor DocumentTooLarge = new("HYO1020", ExitCode.InputError,
        "contract file is larger than the loader accepts", "contracts are small: keep the file under 1 MiB (split large inputs into an --inputs file)");
    public static readonly DiagnosticDescriptor EncodingInvalid = new("HYO1021", ExitCode.InputError,
        "contract file is not UTF-8", "save the file as UTF-8 (a UTF-8 byte order mark is accepted; UTF-16/32 and latin-1 are not)");
    public static readonly DiagnosticDescriptor NestingTooDeep = new("HYO1022", ExitCode.InputError,
        "YAML nesting is deeper than the loader accepts", "contracts nest at most 32 levels (counting expanded aliases); flatten the structure");
    public static readonly DiagnosticDescriptor NonScalarKey = new("HYO1023", ExitCode.InputError,
        "a mapping key is not a plain value", "mapping keys must be strings; a list or mapping cannot be a key");
    public static readonly DiagnosticDescriptor AliasCycle = new("HYO1024", ExitCode.InputError,
        "a YAML alias refers to the node that contains it (recursive structure)", "an alias may only repeat a node that is complete before it; remove the self-reference");
    public static readonly DiagnosticDescriptor AliasUndefined = new("HYO1025", ExitCode.InputError,
        "a YAML alias names an anchor that is not defined before it", "define `&name` before using `*name`");
    public static readonly DiagnosticDescriptor AliasBudgetExceeded = new("HYO1026", ExitCode.InputError,
        "YAML aliases expand to more nodes than the loader accepts", "a contract expands to at most 100000 nodes; nested aliases multiply (an alias bomb); write the values out");
    public static readonly DiagnosticDescriptor MergeKeyInvalid = new("HYO1027", ExitCode.InputError,
        "a YAML merge key (<<) does not merge a mapping", "`<<:` takes a mapping, an alias of a mapping, or a list of those");
    public static readonly DiagnosticDescriptor MultipleDocuments = new("HYO1028", ExitCode.InputError,
        "the contract file holds more than one YAML document", "keep one contract per file (remove the `---` separators)");
    public static readonly DiagnosticDescriptor DuplicateRequirement = new("HYO1029", ExitCode.InputError,
        "a step lists the same requirement twice", "list every step id once in `requires`");
    public static readonly DiagnosticDescriptor UnknownField = new("HYO1030", ExitCode.InputError,
        "unknown field (a warning; an error with --strict)", "remove the field or fix its spelling; docs/contracts.md lists the known fields");
    public static readonly DiagnosticDescriptor UpstreamFieldIgnored = new("HYO1031", ExitCode.InputError,
        "an upstream HybridOps field this build does not implement is ignored (a warning; an error with --strict)", "see the upstream compatibility table in docs/contracts.md; remove the field when the blueprint is meant for hyops only");
    public static readonly DiagnosticDescriptor ModuleOutsideHyops = new("HYO1032", ExitCode.InputError,
        "the step's module is provided outside hyops (an upstream module this build does not ship)", "deploy that module with upstream HybridOps (or by hand) so its state exists; deploy then uses its published state and does not run the step");
    public static readonly DiagnosticDescriptor UnknownMode = new("HYO1033", ExitCode.InputError,
        "unknown blueprint mode (a warning; an error with --strict)", "use one of the modes listed in docs/contracts.md");
    public static readonly DiagnosticDescriptor UnknownStepInput = new("HYO1034", ExitCode.InputError,
        "a step gives an input its module does not declare", "fix the input name (the module's spec.yml lists its inputs under inputs.defaults)");
    public static readonly DiagnosticDescriptor StepInputRequired = new("HYO1035", ExitCode.InputError,
        "a step leaves a required input of its module empty", "set the input in the step's inputs or in --inputs FILE under the step id");
    public static readonly DiagnosticDescriptor StepInputType = new("HYO1036", ExitCode.InputError,
        "a step input has a different type than its module's default", "give a value of the type shown in the module's spec.yml defaults");
    public static readonly DiagnosticDescriptor StateRefNotYetProduced = new("HYO1037", ExitCode.InputError,
        "a step reads state that a later step of the blueprint produces", "add the producing step to `requires` (or reorder) so it runs first");
    public static readonly DiagnosticDescriptor ExternalStateNotReady = new("HYO1038", ExitCode.StateNotReady,
        "a step reads state that no earlier step produces and that is absent or not ok in this runtime root", "deploy the named module first (or run `hyops lab up`); deploy would stop at this step");

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

    // Repository purge (`hyops repo purge`): separate, explicit, opt-in, typed confirmation (LAN-5.2, MDR-D3)
    public static readonly DiagnosticDescriptor PurgeConfirmationMismatch = new("HYO3040", ExitCode.GuardRefused,
        "repository purge needs the bucket name typed exactly", "pass --confirm-bucket with the bucket name shown by `hyops module status` of the object-repo");
    public static readonly DiagnosticDescriptor PurgeRepoInUse = new("HYO3041", ExitCode.GuardRefused,
        "the repository is still the target of an active backup configuration", "destroy the postgresql-ha-backup instance(s) named in the message first; purge never runs under live archiving");
    public static readonly DiagnosticDescriptor PurgeBackendUnsupported = new("HYO2060", ExitCode.InputError,
        "purge is only available for the local provider in this build", "delete cloud bucket data with the provider's own tooling after review; hyops never deletes it implicitly");

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
    public static readonly DiagnosticDescriptor InventoryHostInvalid = new("HYO2090", ExitCode.InputError,
        "an inventory member is not usable", "fix the member named in the message (see docs/sites.md for every field and its default)");
    public static readonly DiagnosticDescriptor AnsibleInventoryInvalid = new("HYO2091", ExitCode.InputError,
        "the Ansible inventory cannot be imported", "fix the file or the group named in the message; YAML and INI inventories are read, variables as in docs/sites.md");
    public static readonly DiagnosticDescriptor TimedOut = new("HYO4004", ExitCode.ConnectivityFailure,
        "a host, service or API did not answer in time", "the message names what timed out; check that it runs and is reachable, then rerun (the run was not cancelled)");

    // Configuration
    public static readonly DiagnosticDescriptor WalLevelTooLow = new("HYO5001", ExitCode.ConfigurationFailure,
        "wal_level is too low", "set wal_level (replica or logical) through Patroni's DCS config and restart the cluster");
    public static readonly DiagnosticDescriptor AuthenticationFailed = new("HYO5002", ExitCode.ConfigurationFailure,
        "PostgreSQL rejected the credentials", "check the secret named by the *_env input and the member's pg_hba");
    public static readonly DiagnosticDescriptor SourceMisconfigured = new("HYO5003", ExitCode.ConfigurationFailure,
        "source cluster configuration does not meet the contract", "see the failed checks in the run record");

    // Object repositories (HYO5060-HYO5069): pgBackRest talking to an S3/Azure/GCS repository (docs/repositories.md)
    public static readonly DiagnosticDescriptor RepoCredentialsRejected = new("HYO5060", ExitCode.ConfigurationFailure,
        "the object repository rejected the credentials", "check the secret named by the repository's *_env input (its value is never printed) and that the key belongs to the bucket's account");
    public static readonly DiagnosticDescriptor RepoTlsVerifyFailed = new("HYO5061", ExitCode.ConfigurationFailure,
        "the object repository's TLS certificate could not be verified", "give the repository's CA as input ca_file (pgBackRest repo1-storage-ca-file) and check that the certificate names the endpoint; verification is never turned off");
    public static readonly DiagnosticDescriptor WalArchiveGap = new("HYO5062", ExitCode.ReadinessFailure,
        "the WAL archive has a gap after the latest backup: recovery stops before the missing segments (an RPO event)", "the message names the missing WAL range (pgBackRest archive-push-queue-max dropped it, or it was deleted); take a full backup now so a continuous range starts again");
    public static readonly DiagnosticDescriptor RepoVerifyFailed = new("HYO5063", ExitCode.ReadinessFailure,
        "pgbackrest verify found invalid files in the repository", "outputs verify_result and the run record name what is invalid (checksum, size, missing); take a new full backup and check the store's storage");
    public static readonly DiagnosticDescriptor RepoUnreachable = new("HYO4050", ExitCode.ConnectivityFailure,
        "the object repository did not answer", "check that the endpoint and port are right and the store is up; WAL stays queued on the leader (archive-push-queue-max) until it answers");
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

    // DR source (platform/onprem/postgresql-dr-source) and fencing (platform/onprem/postgresql-fence)
    public static readonly DiagnosticDescriptor ConsumerCidrsRequired = new("HYO2040", ExitCode.InputError,
        "allowed_consumer_cidrs is required for a managed dr_mode", "list the CIDRs the managed DR service connects from (e.g. [\"10.20.0.0/24\"]); nothing is exposed without an explicit allowlist");
    public static readonly DiagnosticDescriptor ConsumerCidrInvalid = new("HYO2041", ExitCode.InputError,
        "an allowed consumer CIDR is malformed, too wide or outside the allowed boundaries", "give network/prefix CIDRs inside consumer_cidr_boundaries; 0.0.0.0/0 and ::/0 are never accepted");
    public static readonly DiagnosticDescriptor SourceInputInvalid = new("HYO2042", ExitCode.InputError,
        "a DR source input has an invalid value", "see modules/platform/onprem/postgresql-dr-source/spec.yml for the allowed values");
    public static readonly DiagnosticDescriptor FenceNothingToRestore = new("HYO2043", ExitCode.StateNotReady,
        "no fence state with the previous pg_hba to restore", "unfence (destroy) needs the state of a successful fence of this instance");
    public static readonly DiagnosticDescriptor FenceKeepRuleInvalid = new("HYO2070", ExitCode.InputError,
        "a pg_hba line the fence is asked to keep could open writes", "keep only the DR consumer's lines (keep_rules_state_ref: platform/onprem/postgresql-dr-source): host lines naming one non-superuser role, never trust, never 'all' users");
    public static readonly DiagnosticDescriptor PublishConfirmRequired = new("HYO3050", ExitCode.GuardRefused,
        "endpoint publication needs publish_confirm set to the record's fqdn", "review the target, then set publish_confirm to the fqdn being repointed (or dry_run: true for a no-cutover drill)");
    public static readonly DiagnosticDescriptor FenceConfirmRequired = new("HYO3020", ExitCode.GuardRefused,
        "fencing needs fence_confirm set to the cluster name", "set fence_confirm to the cluster_name published by the cluster state after reviewing what will be fenced");
    public static readonly DiagnosticDescriptor FenceConfirmMismatch = new("HYO3021", ExitCode.GuardRefused,
        "fence_confirm does not match the cluster name in the cluster state", "type the exact cluster_name of the cluster you mean to fence");
    public static readonly DiagnosticDescriptor FenceVerifyFailed = new("HYO3022", ExitCode.GuardRefused,
        "fence verification failed: a member still accepts writes", "fence the cluster (apply_mode fence) or stop the member named in the message before any promotion");
    public static readonly DiagnosticDescriptor SourceLeaderUnreachable = new("HYO4030", ExitCode.ConnectivityFailure,
        "the source cluster leader is unreachable", "check that the leader named by the cluster state runs and listens; redeploy platform/onprem/postgresql-ha after a failover");
    public static readonly DiagnosticDescriptor FencePatroniUnreachable = new("HYO4031", ExitCode.ConnectivityFailure,
        "members accept connections but no Patroni REST API answered, so pg_hba cannot be changed", "start Patroni on the members, or stop PostgreSQL on them, then fence again");
    public static readonly DiagnosticDescriptor SourceDatabaseMissing = new("HYO5030", ExitCode.ConfigurationFailure,
        "a source database does not exist on the leader", "create it or remove it from source_databases");
    public static readonly DiagnosticDescriptor ReplicationCapacityExhausted = new("HYO5031", ExitCode.ConfigurationFailure,
        "no free replication slot or WAL sender on the source leader", "raise max_replication_slots / max_wal_senders through Patroni's DCS config, or drop unused slots");
    public static readonly DiagnosticDescriptor LogicalWalLevelRequired = new("HYO5032", ExitCode.ConfigurationFailure,
        "wal_level is below logical, which managed DR replication needs", "set wal_level: logical through Patroni's DCS config and restart the members, or use dr_mode export");
    public static readonly DiagnosticDescriptor ReplicationRoleUnusable = new("HYO5033", ExitCode.ConfigurationFailure,
        "the replication role exists but lacks LOGIN or REPLICATION", "grant them (ALTER ROLE ... LOGIN REPLICATION) or choose another replication_user; hyops does not alter roles it did not create");
    public static readonly DiagnosticDescriptor SourceWriteTopologyAmbiguous = new("HYO6030", ExitCode.AmbiguousTopology,
        "the source write topology is ambiguous: more than one member accepts writes", "fence or demote the member promoted outside Patroni; nothing was published");
    public static readonly DiagnosticDescriptor PgHbaNotApplied = new("HYO6031", ExitCode.ReadinessFailure,
        "the pg_hba change made through Patroni did not reach every member in time", "check Patroni on the members named in the message (GET /config, its log)");
    public static readonly DiagnosticDescriptor FenceNotProven = new("HYO6032", ExitCode.ReadinessFailure,
        "the fence was applied but a member still accepts writes", "stop the member named in the message (or its site) before any promotion");
    public static readonly DiagnosticDescriptor UnfenceNotProven = new("HYO6033", ExitCode.ReadinessFailure,
        "pg_hba was restored but no member accepts writes yet", "check Patroni /cluster and the member logs; the previous pg_hba is in the run record");
    // Write load, site failure simulation and drills (`hyops lab load|fail-site|repair-site`, `hyops blueprint drill`)
    public static readonly DiagnosticDescriptor DrillOptionInvalid = new("HYO2030", ExitCode.InputError,
        "load or drill option has an invalid value", "use --rate > 0, --duration > 0, --settle-s >= 0 and --disaster none|onprem-site");
    public static readonly DiagnosticDescriptor DrillReportNotFound = new("HYO2031", ExitCode.StateNotReady,
        "no drill report for this blueprint", "run `hyops blueprint drill --ref REF` first; reports live under <root>/drills/<blueprint id>/");
    public static readonly DiagnosticDescriptor LoadNotSteady = new("HYO7010", ExitCode.ReadinessFailure,
        "the write load did not acknowledge writes steadily before the drill", "check `hyops lab status` and the service record (dig @authority db.hyops.lab.); try `hyops lab load --duration 5`");
    public static readonly DiagnosticDescriptor SiteFailureFailed = new("HYO7011", ExitCode.ReadinessFailure,
        "the site failure simulation could not be applied", "the lab must be running (`hyops lab status`); repair-site needs a failed site");
    public static readonly DiagnosticDescriptor DrillVerificationFailed = new("HYO7012", ExitCode.ConnectivityFailure,
        "the drill could not read the rows back through the published endpoint", "check the service record and the new primary; the ack log in the drill report dir still holds every acknowledged id");
    // Baseline restore lane: DR hosts (org/gcp/dr-hosts) and postgresql-ha apply_mode restore
    public static readonly DiagnosticDescriptor ProviderUnavailable = new("HYO2020", ExitCode.InputError,
        "the provider is not available in this build", "use provider 'local' (the embedded lab's DR site); the gcp provider makes no cloud calls yet");
    public static readonly DiagnosticDescriptor RestoreTargetInvalid = new("HYO2021", ExitCode.InputError,
        "restore_target is not valid", "use `latest`, `set:<backup label>` (see `pgbackrest info`) or `time:<ISO-8601 timestamp with offset>`");
    public static readonly DiagnosticDescriptor HostsContractUnsupported = new("HYO2022", ExitCode.StateNotReady,
        "hosts_state_ref does not publish a hosts contract this module can restore onto", "reference an org/gcp/dr-hosts (dr-hosts/v1) or platform/onprem/inventory (onprem-inventory/v1) state");
    public static readonly DiagnosticDescriptor BackupNotFound = new("HYO2023", ExitCode.InputError,
        "no backup in the repository matches restore_target", "list the stanza's backups with `pgbackrest info` and pick an existing label or a time after the first backup");
    public static readonly DiagnosticDescriptor RestoreNotConfirmed = new("HYO3010", ExitCode.GuardRefused,
        "restore_confirm is missing or does not equal cluster_name", "set restore_confirm to the exact new cluster name after reviewing the target hosts; nothing was created");
    public static readonly DiagnosticDescriptor WipeNotConfirmed = new("HYO3011", ExitCode.GuardRefused,
        "the target hosts already hold data or DCS keys for the scope: a rebuild needs wipe_confirm", "set wipe_confirm to the exact cluster name to wipe the target data dirs and the scope's DCS keys deliberately; nothing was changed");
    public static readonly DiagnosticDescriptor DcsUnreachable = new("HYO4020", ExitCode.ConnectivityFailure,
        "the target site's DCS (etcd) is unreachable", "deploy org/gcp/dr-hosts (it starts the site's etcd) or check `hyops module status` of the hosts module");
    public static readonly DiagnosticDescriptor TargetPortInUse = new("HYO4021", ExitCode.ConnectivityFailure,
        "a target host's PostgreSQL or Patroni port is taken by a process hyops did not register", "stop that process, or restore onto other hosts");
    public static readonly DiagnosticDescriptor RestoreCommandFailed = new("HYO5020", ExitCode.ConfigurationFailure,
        "a restore command failed", "see the action's argv, rc and stderr tail in the run record and the Patroni log it names");
    public static readonly DiagnosticDescriptor SiteStartFailed = new("HYO6020", ExitCode.ReadinessFailure,
        "a DR site daemon did not become healthy", "see the log file named in the message; `hyops module destroy` of the hosts module stops what was started");
    public static readonly DiagnosticDescriptor RestoreNotReady = new("HYO6021", ExitCode.ReadinessFailure,
        "the restored cluster did not become ready in time", "see the Patroni logs named in the message; raise restore_timeout_s for large backups");
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
    // Premium failback: cloudsql-postgresql apply_mode fence, postgresql-ha apply_mode reseed
    public static readonly DiagnosticDescriptor ReseedSourceInvalid = new("HYO2080", ExitCode.InputError,
        "the reseed source is not a managed primary contract", "point source_state_ref at org/gcp/cloudsql-postgresql#<instance> state (cloudsql-postgresql/v1) of the promoted instance");
    public static readonly DiagnosticDescriptor ReseedSourceNotFenced = new("HYO2081", ExitCode.StateNotReady,
        "the managed primary is not fenced", "run org/gcp/cloudsql-postgresql with apply_mode fence (fence_confirm) first: the failback copies it only when it refuses writes");
    public static readonly DiagnosticDescriptor ManagedFenceNotPrimary = new("HYO2082", ExitCode.StateNotReady,
        "only a managed primary is fenced for failback", "promote the instance first (org/gcp/cloudsql-promote) or point at the promoted instance");
    public static readonly DiagnosticDescriptor ManagedFenceConfirmRequired = new("HYO3060", ExitCode.GuardRefused,
        "fencing refused: fence_confirm does not name the managed instance", "set fence_confirm to the exact instance_name after the maintenance window is agreed");
    public static readonly DiagnosticDescriptor ReseedConfirmRequired = new("HYO3061", ExitCode.GuardRefused,
        "reseed refused: reseed_confirm does not name the new cluster", "set reseed_confirm to cluster_name; the on-prem cluster is rebuilt from scratch (new lineage)");
    public static readonly DiagnosticDescriptor ManagedFenceNotProven = new("HYO6060", ExitCode.ReadinessFailure,
        "the managed primary still accepts writes after fencing", "see the managed_write_refused check; a client that overrides default_transaction_read_only must be stopped first");
    public static readonly DiagnosticDescriptor ReseedCopyFailed = new("HYO6061", ExitCode.ReadinessFailure,
        "copying the managed primary into the new on-prem cluster failed", "see the pg_dump/pg_restore action (argv, rc, stderr tail) in the run record");
    public static readonly DiagnosticDescriptor ReseedVerificationFailed = new("HYO6062", ExitCode.ReadinessFailure,
        "the reseeded on-prem cluster does not match the managed primary", "see the table_verification check (row counts and checksums per table); nothing was published");
    public static readonly DiagnosticDescriptor ReseedNotReady = new("HYO6063", ExitCode.ReadinessFailure,
        "the reseeded on-prem cluster is not ready", "see the readiness check: every member running, replicas streaming, leader writable; `hyops module status` re-checks");
    // Lab hosts: namespaced hosts (own mount, uts, pid and network namespaces, own sshd) of `hyops lab`
    public static readonly DiagnosticDescriptor LabHostsInputInvalid = new("HYO2094", ExitCode.InputError,
        "lab hosts input is not valid", "use a block 1..14, 1..13 unique host names [a-z][a-z0-9-]{0,30} other than 'hyops', and an absolute lab dir without ',', ':' or spaces outside /etc, /run, /root, /home, /var/log and the service dirs");
    public static readonly DiagnosticDescriptor LabBlockInUse = new("HYO2095", ExitCode.InputError,
        "the lab address block is already used by another lab", "choose another block, or remove the other lab (`hyops lab down` there, or the lab cleaner for the block)");
    public static readonly DiagnosticDescriptor LabHostNotReady = new("HYO6070", ExitCode.ReadinessFailure,
        "a lab host did not start or its sshd did not answer", "see the host's console.log named in the message; `hyops lab down` (or the lab cleaner) removes what was created");
    public static readonly DiagnosticDescriptor LabHostsLeftover = new("HYO6071", ExitCode.ReadinessFailure,
        "removing the lab hosts left something behind", "the message names each leftover process, namespace, link or mount; rerun the cleaner or remove it by hand");

    // Hosts (HYO71xx): reaching a host through the host executor (ssh or local) and becoming a user on it
    public static readonly DiagnosticDescriptor HostUnreachable = new("HYO7101", ExitCode.ConnectivityFailure,
        "a host could not be reached over ssh", "check the host's address, ssh port and jump host in the inventory, that sshd runs, and `ssh -p PORT USER@ADDRESS true` from this machine");
    public static readonly DiagnosticDescriptor HostKeyRejected = new("HYO7102", ExitCode.ConnectivityFailure,
        "the host's ssh key is not the one in known_hosts", "verify the host's key fingerprint out of band, then add it to the known_hosts file the inventory names (or ~/.ssh/known_hosts); hyops never accepts a key by itself");
    public static readonly DiagnosticDescriptor HostCommandTimeout = new("HYO7103", ExitCode.ConnectivityFailure,
        "a command on a host did not finish in time", "the message names the host and the command; check the host's load and the service the command talks to, then rerun");
    public static readonly DiagnosticDescriptor HostLoginRefused = new("HYO7104", ExitCode.ConnectivityFailure,
        "the host refused the ssh login", "check the ssh user in the inventory and that its key (agent, identity file or certificate) is authorized on the host");
    public static readonly DiagnosticDescriptor HostBecomeRefused = new("HYO7105", ExitCode.ConfigurationFailure,
        "sudo on the host refused to run the command without a password", "allow the login user passwordless sudo to the service user and to root for the commands hyops runs (see docs/hosts.md), or log in as the service user with become: none");

    // Premium standby you can trust (HYO6100-HYO6199): read-only standby, schema drift, promotion preflight, fenced-not-promoted
    public static readonly DiagnosticDescriptor StandbyNotReadOnly = new("HYO6100", ExitCode.ReadinessFailure,
        "the managed standby accepts client writes", "see the standby_read_only check; re-run establish (it re-installs the write guard) and check the instance's hyops_standby.conf");
    public static readonly DiagnosticDescriptor StandbySchemaDrift = new("HYO6101", ExitCode.ReadinessFailure,
        "the standby's schema differs from the source (schema_drift)", "add the missing tables with apply_mode add_tables (creates them on the standby and refreshes the subscription), or re-establish; fix tables without a primary key on the source");
    public static readonly DiagnosticDescriptor StandbyApplyStopped = new("HYO6102", ExitCode.ReadinessFailure,
        "the standby's apply worker is not running", "see the target's postgres.log for the apply error (often a table missing on the standby: apply_mode add_tables), then run status again");
    public static readonly DiagnosticDescriptor PromotePreflightRefused = new("HYO6103", ExitCode.ReadinessFailure,
        "promotion preflight refused before the fence: the standby is not promotable", "see the preflight check (health, apply worker, lag vs max_lag_bytes, schema drift); fix the standby, then rerun; nothing was changed");
    public static readonly DiagnosticDescriptor FencedNotPromoted = new("HYO6104", ExitCode.FencedNotPromoted,
        "the on-prem cluster is FENCED and the standby was NOT promoted", "fix the cause named in the message and rerun the promote blueprint (it continues from the fence), or lift the fence with the command in the message");

    // Application roles carried by standby and failback, post-promotion backups (HYO6110-HYO6139)
    public static readonly DiagnosticDescriptor AppRolesInvalid = new("HYO6110", ExitCode.InputError,
        "input 'app_roles' is not a list of {name, password_env}", "give each application role as `{name: <role>, password_env: <env/vault key holding its password>}`; names are plain role names (letters, digits, _), never postgres or the replication role");
    public static readonly DiagnosticDescriptor AppRoleMissing = new("HYO6111", ExitCode.StateNotReady,
        "an application role named in app_roles does not exist on the source", "create the role on the source first (or remove it from app_roles); nothing was changed");
    public static readonly DiagnosticDescriptor AppRolesNotCarried = new("HYO6112", ExitCode.ReadinessFailure,
        "the application roles on the target differ from the source or cannot log in", "see the app_roles_verified check: it names each missing attribute, membership, grant or ownership and each failed login; check the role's password key");
    public static readonly DiagnosticDescriptor PromotedBackupFailed = new("HYO6113", ExitCode.PartialCompletion,
        "backups of the promoted primary could not be enabled; the promotion stands", "fix the repository (reachable, writable by the server's OS user) and rerun the promote blueprint: it does not promote again and enables the backups");

    // Evidence an auditor can check (HYO7200-HYO7219): the index chained across runs, verify, export
    public static readonly DiagnosticDescriptor EvidenceNotVerified = new("HYO7201", ExitCode.EvidenceNotVerified,
        "the evidence does not verify", "each finding names the run or drill and what changed (removed, moved, edited, unindexed); restore it from a backup or an exported bundle, and treat the runtime root as tampered with until explained");
    public static readonly DiagnosticDescriptor EvidenceBundleInvalid = new("HYO7202", ExitCode.InputError,
        "the evidence bundle cannot be read", "pass a .tar.gz written by `hyops evidence export`; the message names what is missing or unsafe in it");
    public static readonly DiagnosticDescriptor EvidenceRunNotFound = new("HYO7203", ExitCode.InputError,
        "no run or drill with this id under the runtime root", "list runs under <root>/logs/blueprint/*/ or with `hyops drill history`; pass a blueprint, module or drill run id");
    public static readonly DiagnosticDescriptor EvidenceIndexBusy = new("HYO7204", ExitCode.LockHeld,
        "the evidence index lock is held for too long", "another hyops process holds logs/index.lock; wait for it, or check that it is not hung");
    public static readonly DiagnosticDescriptor EvidenceInputInvalid = new("HYO7205", ExitCode.InputError,
        "an evidence command option is invalid", "see `hyops evidence verify --help` / `hyops evidence export --help`");

    // DR options and the decision service (HYO7300-HYO7319): `hyops dr status`, platform/network/decision-service; docs/decision.md
    public static readonly DiagnosticDescriptor DrOptionNotProven = new("HYO7301", ExitCode.StateNotReady,
        "not proven: the option was never drilled, or its last drill failed", "run `hyops blueprint drill` of the option's blueprint (with its inputs) until it passes; the decision service picks only options whose last drill succeeded");
    public static readonly DiagnosticDescriptor DrNoEligibleOption = new("HYO7302", ExitCode.StateNotReady,
        "no DR option is eligible now", "each option's reasons name what is missing (a drill within the policy age, a reachable site or repository, a backup set, a streaming standby); fix one and decide again");
    public static readonly DiagnosticDescriptor DrInputInvalid = new("HYO7303", ExitCode.InputError,
        "a DR status or decision input is invalid", "see docs/decision.md: max_drill_age_days > 0, objectives in seconds >= 0, reachability as booleans, repositories as state refs");

    // Isolated drills (HYO7401-HYO7413): platform/onprem/postgresql-drill, the drill restore and teardown of postgresql-ha; docs/drill.md
    public static readonly DiagnosticDescriptor DrillRestorePointInvalid = new("HYO7401", ExitCode.InputError,
        "the restore point name is not valid", "use 1-63 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit (default: hyops-drill-<run id>); nothing was changed");
    public static readonly DiagnosticDescriptor DrillInputInvalid = new("HYO7402", ExitCode.InputError,
        "an isolated drill input is not valid", "the message names the input; tables are schema.table names, row_cap and lock_timeout_ms are positive; nothing was changed");
    public static readonly DiagnosticDescriptor DrillNotConfirmed = new("HYO7403", ExitCode.GuardRefused,
        "the isolated drill is not confirmed: drill_confirm must be the production cluster name", "set drill_confirm to the production cluster name after reading docs/drill.md (a marker row and a short EXCLUSIVE lock on the manifest tables); nothing was changed");
    public static readonly DiagnosticDescriptor DrillTargetCollides = new("HYO7404", ExitCode.InputError,
        "the drill cluster would collide with production", "give the drill cluster its own name (e.g. <cluster>-drill) and drill hosts that are not production members; nothing was changed");
    public static readonly DiagnosticDescriptor DrillTeardownRefused = new("HYO7405", ExitCode.GuardRefused,
        "drill_teardown is only for a cluster an isolated drill restored", "destroy without drill_teardown keeps a restored cluster's data; only a drill cluster (restored at a drill marker) is removed for good");
    public static readonly DiagnosticDescriptor DrillLockTimeout = new("HYO7406", ExitCode.ReadinessFailure,
        "the drill could not take its short lock on the manifest tables within lock_timeout_ms", "a long transaction holds a lock on one of the tables; the drill gave up so production writers never wait; rerun later or name fewer tables");
    public static readonly DiagnosticDescriptor DrillMarkerNotArchived = new("HYO7407", ExitCode.ReadinessFailure,
        "the WAL segment holding the drill's restore point was not archived in time", "check archiving of the production cluster (pg_stat_archiver, the backup module's status) and archive_wait_s");
    public static readonly DiagnosticDescriptor DrillManifestMismatch = new("HYO7408", ExitCode.ReadinessFailure,
        "the drill cluster does not hold what the manifest recorded at the restore point", "the message names each table whose row count or checksum differs; the restore or the WAL archive lost or changed data");
    public static readonly DiagnosticDescriptor DrillAmcheckFailed = new("HYO7409", ExitCode.ReadinessFailure,
        "pg_amcheck found corruption (or could not run) on the drill cluster", "the run record holds pg_amcheck's output; check the backup set and the repository (pgbackrest verify)");
    public static readonly DiagnosticDescriptor DrillNotWritable = new("HYO7410", ExitCode.ReadinessFailure,
        "the drill cluster is not writable", "the restored leader did not leave recovery at the restore point; see the restore step's Patroni log in its run record");
    public static readonly DiagnosticDescriptor DrillTeardownIncomplete = new("HYO7411", ExitCode.ReadinessFailure,
        "the drill cluster was not fully removed", "the message names what is left (a service, a member dir, DCS keys); rerun the teardown (`module destroy` of the drill instance with drill_teardown: true)");
    public static readonly DiagnosticDescriptor DrillIsolatedOptionInvalid = new("HYO7412", ExitCode.InputError,
        "this option does not apply to an isolated drill", "an isolated drill injects no disaster and runs no write load against production: drop --disaster (or use none)");
    public static readonly DiagnosticDescriptor DrillMarkerStateInvalid = new("HYO7413", ExitCode.StateNotReady,
        "the drill marker state is absent or is not a postgresql-drill/v1 marker", "run the marker step (platform/onprem/postgresql-drill apply_mode marker) first; reference it as platform/onprem/postgresql-drill#marker");

    // No-cutover drill of the premium lane (HYO7414-HYO7419): org/gcp/cloudsql-promote-drill; docs/drill.md
    public static readonly DiagnosticDescriptor NoCutoverNotConfirmed = new("HYO7414", ExitCode.GuardRefused,
        "the no-cutover drill is not confirmed: drill_confirm must be the managed standby's instance name", "set drill_confirm to the standby's instance_name after reading docs/drill.md (one barrier row on production, a clone on the provider host); nothing was changed");
    public static readonly DiagnosticDescriptor NoCutoverInputInvalid = new("HYO7415", ExitCode.InputError,
        "a no-cutover drill input is not valid", "the message names the input: max_lag_bytes >= 0, barrier_timeout_s and catch_up_s > 0, clone_name a new instance name ([a-z][a-z0-9-]) other than the standby's; nothing was changed");
    public static readonly DiagnosticDescriptor NoCutoverNotPromotable = new("HYO7416", ExitCode.ReadinessFailure,
        "the standby could not be promoted now", "the message names the failed check (health and apply worker, lag over max_lag_bytes, schema drift); the real promotion would refuse the same way before its fence; fix it (docs/premium.md) and drill again");
    public static readonly DiagnosticDescriptor NoCutoverBarrierNotSeen = new("HYO7417", ExitCode.ReadinessFailure,
        "the drill's barrier row did not reach the standby within barrier_timeout_s", "replication is slower than the bound or stalled; see the replica status (lag_bytes, apply worker) and the standby's log");
    public static readonly DiagnosticDescriptor NoCutoverCloneFailed = new("HYO7418", ExitCode.ReadinessFailure,
        "the promoted clone of the standby failed a check", "the message names it (copy or start, subscriptions left, not writable, barrier row or table counts); the clone was removed; see the drill's run record");
    public static readonly DiagnosticDescriptor NoCutoverStandbyDisturbed = new("HYO7419", ExitCode.ReadinessFailure,
        "after the drill the standby is not as before, or the clone was not removed", "the message names what differs (not streaming, not read-only, subscription disabled, another slot, lag not caught up, clone files or process left); check the replica status");

    // Google Cloud provider (HYO8000-HYO8019): Cloud SQL Admin v1, Database Migration Service v1, Cloud DNS v1; docs/gcp.md
    public static readonly DiagnosticDescriptor GcpCredentialsUnavailable = new("HYO8001", ExitCode.SecretUnavailable,
        "the Google service-account key could not be loaded", "set the env key named by credentials_env (default GOOGLE_APPLICATION_CREDENTIALS) to the path of a service-account JSON key file readable only by you (0600)");
    public static readonly DiagnosticDescriptor GcpTokenExchangeFailed = new("HYO8002", ExitCode.ConnectivityFailure,
        "the OAuth token exchange for the service account failed", "check that the key is current (not deleted or disabled in IAM) and that the token endpoint (token_uri of the key) is reachable from here");
    public static readonly DiagnosticDescriptor GcpApiUnreachable = new("HYO8003", ExitCode.ConnectivityFailure,
        "a Google Cloud API could not be reached, or kept answering 429/5xx, within the retry budget", "check network egress to the API host named in the message and the project's quota; rerun: creates are idempotent");
    public static readonly DiagnosticDescriptor GcpPermissionDenied = new("HYO8004", ExitCode.PermissionDenied,
        "a Google Cloud API refused the service account (401/403)", "grant the IAM roles listed in docs/gcp.md to the service account and enable the API named in the message; nothing was changed by the refused call");
    public static readonly DiagnosticDescriptor GcpRequestRejected = new("HYO8005", ExitCode.ConfigurationFailure,
        "a Google Cloud API rejected the request", "the message quotes the API's error status and text; fix the input it names (tier, region, database version, network)");
    public static readonly DiagnosticDescriptor GcpOperationFailed = new("HYO8006", ExitCode.ConfigurationFailure,
        "a Google Cloud long-running operation ended with an error", "the message quotes the operation's error; see the operation id in the run record (gcloud sql operations describe / database-migration operations describe)");
    public static readonly DiagnosticDescriptor GcpOperationTimeout = new("HYO8007", ExitCode.ReadinessFailure,
        "a Google Cloud operation was not done within its polling budget", "the operation may still finish: check it by the id in the message, then rerun (the rerun adopts what exists)");
    public static readonly DiagnosticDescriptor GcpResourceConflict = new("HYO8008", ExitCode.ConfigurationFailure,
        "a Google Cloud resource of that name exists and does not match what hyops would create", "pick another name, or delete the existing resource after review; hyops adopts only a resource that matches its inputs");
    public static readonly DiagnosticDescriptor DmsJobFailed = new("HYO8009", ExitCode.ReadinessFailure,
        "the Database Migration Service job failed or did not reach the expected state", "the message quotes the job's state, phase and error; fix the cause and rerun establish (it restarts or recreates the job)");
    public static readonly DiagnosticDescriptor DmsVerifyFailed = new("HYO8010", ExitCode.ConfigurationFailure,
        "the Database Migration Service job verification found problems with the source or destination", "the message names each DMS error type (for example pglogical missing, wal_level, replication slots); prepare the source with platform/onprem/postgresql-dr-source");
    public static readonly DiagnosticDescriptor PglogicalPrerequisitesMissing = new("HYO8011", ExitCode.ConfigurationFailure,
        "the DR source lacks prerequisites that Database Migration Service needs", "install postgresql-15-pglogical on every member and let dr-source set them through Patroni (shared_preload_libraries, wal_level=logical, slots, senders, workers); each missing item is named");
    public static readonly DiagnosticDescriptor GcpDnsChangeFailed = new("HYO8012", ExitCode.PublicationFailure,
        "the Cloud DNS change was not applied", "the message quotes the API error or the change id that did not reach done; the previous record set is in the run record");
    public static readonly DiagnosticDescriptor PglogicalPrepareConfirmRequired = new("HYO8013", ExitCode.GuardRefused,
        "preparing pglogical refused: prepare_pglogical_confirm does not name the source cluster", "set prepare_pglogical_confirm to the cluster name; preparing sets parameters through Patroni and restarts every member");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = typeof(DiagnosticCatalog)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .OrderBy(d => d.Code, StringComparer.Ordinal)
        .ToArray();
}
