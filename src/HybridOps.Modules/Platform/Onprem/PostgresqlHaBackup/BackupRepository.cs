using System.Text.Json.Nodes;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHaBackup;

/// <summary>One pgBackRest repository of the cluster: its number (repo1, repo2), the object-repo/v1 state it comes from, its retention.</summary>
internal sealed record BackupRepository(int Key, string StateRef, JsonObject Outputs, int RetentionFull);
