namespace HybridOps.Postgres.Hosts;

/// <summary>How a command reaches a user other than the login user on a host.</summary>
public enum BecomeMethod
{
    /// <summary>The login user is the service user; nothing else can be become (root included).</summary>
    None,

    /// <summary><c>sudo -n -u USER --</c> (never prompts: a password requirement is a failure, not a hang).</summary>
    Sudo,
}
