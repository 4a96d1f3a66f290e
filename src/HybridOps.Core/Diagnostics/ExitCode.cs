namespace HybridOps.Core.Diagnostics;

/// <summary>The one table of process exit codes. Every failure kind maps to exactly one code.</summary>
public enum ExitCode
{
    Success = 0,
    /// <summary>A bug in hyops itself (an unexpected exception).</summary>
    InternalError = 1,
    /// <summary>A contract, input or command-line error, found before anything was changed.</summary>
    InputError = 2,
    /// <summary>A guard (confirmation, fencing, manual gate) refused the action.</summary>
    GuardRefused = 3,
    /// <summary>A system could not be reached (PostgreSQL member, Patroni REST API, DNS authority).</summary>
    ConnectivityFailure = 4,
    /// <summary>A system was reached but is configured wrongly for the action (e.g. wal_level too low).</summary>
    ConfigurationFailure = 5,
    /// <summary>The write topology is ambiguous (more than one writable member, or none).</summary>
    AmbiguousTopology = 6,
    /// <summary>A referenced upstream state is absent or not ok.</summary>
    StateNotReady = 7,
    /// <summary>The target did not prove ready (readiness checks failed).</summary>
    ReadinessFailure = 8,
    /// <summary>Endpoint publication (DNS cutover/cutback) failed.</summary>
    PublicationFailure = 9,
    /// <summary>The main action succeeded but a later step (publication, backup reconfiguration) did not.</summary>
    PartialCompletion = 10,
    /// <summary>Another run holds the lock for this runtime root.</summary>
    LockHeld = 11,
    /// <summary>A secret or the vault could not be resolved.</summary>
    SecretUnavailable = 12,
    /// <summary>A promotion failed after the old primary was fenced: production is fenced and nothing was promoted.</summary>
    FencedNotPromoted = 13,
    /// <summary>Evidence did not verify: a run record or drill report was removed, moved, edited or added outside hyops.</summary>
    EvidenceNotVerified = 14,

    /// <summary>A cloud API refused the caller (HTTP 401/403): the credentials or their IAM roles do not allow the call.</summary>
    PermissionDenied = 15,
    /// <summary>The operator cancelled the run (Ctrl+C).</summary>
    Cancelled = 130,
}
