using HybridOps.Core.Diagnostics;

namespace HybridOps.Postgres.Hosts;

/// <summary>A host could not be used as asked: the message names the host and what failed (a HYO71xx diagnostic).</summary>
public abstract class HostException : HyopsException
{
    protected HostException(SiteHost host, DiagnosticDescriptor descriptor, string message, Exception? inner = null)
        : base([descriptor.Create(message)], inner)
    {
        Host = host;
    }

    public SiteHost Host { get; }
}
