namespace HybridOps.Postgres.Hosts;

/// <summary>
/// Who a command runs as on a host and the argv prefix that gets it there. Rules: no RunAs, or
/// RunAs equal to the known login user: run directly. RunAs root: <c>sudo -n -u root --</c>.
/// Another user: <c>sudo -n -u USER --</c> with <see cref="BecomeMethod.Sudo"/>; refused with
/// <see cref="BecomeMethod.None"/> (the login user is the service user and can become nobody).
/// </summary>
/// <param name="Prefix">argv before the command (empty when no become is needed).</param>
/// <param name="TargetUser">The user the command runs as; null when only ssh_config knows the login user.</param>
public sealed record BecomePlan(IReadOnlyList<string> Prefix, string? TargetUser)
{
    public bool Becomes => Prefix.Count > 0;

    public static BecomePlan For(SiteHost host, string? runAs)
    {
        ArgumentNullException.ThrowIfNull(host);
        var login = host.KnownLoginUser;
        if (runAs is null || runAs == login)
        {
            return new BecomePlan([], login);
        }

        HostNames.User(runAs, nameof(HostCommand.RunAs));
        if (runAs != HostCommand.Root && host.Become == BecomeMethod.None)
        {
            throw new ArgumentException(
                $"host {host.Name} logs in as the service user '{login}' with become: none; it cannot run a command as '{runAs}'", nameof(runAs));
        }

        return new BecomePlan(["sudo", "-n", "-u", runAs, "--"], runAs);
    }
}
