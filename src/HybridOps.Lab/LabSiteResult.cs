namespace HybridOps.Lab;

/// <summary>What `lab fail-site` / `lab repair-site` did: the site status recorded, when, and which processes (kind name pid).</summary>
public sealed record LabSiteResult(string SiteStatus, DateTimeOffset At, IReadOnlyList<string> Processes);
