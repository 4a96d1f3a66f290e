using System.Text.Json.Nodes;

namespace HybridOps.Modules.Common;

/// <summary>
/// The site provider's port for retiring a site's running database tier (every member's Patroni and
/// PostgreSQL; the DCS stays), given the site inventory the module read. Returns what was stopped, or
/// null when this provider does not run that site (then the module refuses: the operator stops the old
/// cluster). Composed by the CLI from the site providers it knows; modules never know which one it is.
/// </summary>
public delegate Task<IReadOnlyList<string>?> RetireDatabaseTier(JsonObject inventory, CancellationToken cancellationToken);
