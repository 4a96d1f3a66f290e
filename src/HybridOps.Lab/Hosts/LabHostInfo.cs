namespace HybridOps.Lab.Hosts;

/// <summary>
/// How to reach one lab host over SSH, shaped like the executor's site host so the lab is one
/// instance of a real site: the lab host is reached only with these values.
/// </summary>
/// <param name="Name">Host name (its hostname, its /etc/hosts entry and its Host entry in <paramref name="SshConfigFile"/>).</param>
/// <param name="Address">The host's own address on the lab bridge.</param>
/// <param name="SshPort">Port sshd listens on (22).</param>
/// <param name="SshUser">Login user ("root").</param>
/// <param name="IdentityFile">hyops' private key for the lab (0600).</param>
/// <param name="KnownHostsFile">Every lab host's key by address, for strict host-key checking.</param>
/// <param name="SshConfigFile">ssh_config with one Host entry per lab host name.</param>
/// <param name="Become">How the login user becomes the service user ("sudo").</param>
/// <param name="ServiceUser">OS user the host's servers run as ("postgres").</param>
/// <param name="ServiceManager">How services are started on the host ("start-stop-daemon": no systemd in the lab).</param>
public sealed record LabHostInfo(
    string Name,
    string Address,
    int SshPort,
    string SshUser,
    string IdentityFile,
    string KnownHostsFile,
    string SshConfigFile,
    string Become,
    string ServiceUser,
    string ServiceManager);
