namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// One fact about an application role as the source's catalog shows it: its attributes, a membership,
/// an ownership or a grant. <see cref="Key"/> names it for comparison and evidence (no secret: the
/// password is never read); <see cref="Statement"/> recreates it on a target, in <see cref="Database"/>
/// (null: a cluster-wide fact). <see cref="Order"/> sorts attributes, memberships, schema ownership,
/// table ownership, sequence ownership, then grants.
/// </summary>
internal sealed record AppRoleFact(string Role, string Key, string? Database, string Statement, int Order);
