using System.Collections.Immutable;
using System.Text;

namespace HybridOps.Providers.Managed;

/// <summary>instances.insert. The admin password is held in memory only and never printed.</summary>
public sealed record InstanceRequest(
    string Name,
    string DatabaseVersion,
    InstanceSettings Settings,
    string AdminUser,
    string AdminPassword,
    InstanceRole Role = InstanceRole.Replica)
{
    public ImmutableArray<string> AuthorizedNetworks => Settings.AuthorizedNetworks;

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name).Append(", DatabaseVersion = ").Append(DatabaseVersion)
            .Append(", AdminUser = ").Append(AdminUser).Append(", Role = ").Append(Role);
        return true;
    }
}
