namespace HybridOps.Postgres.PgBackRest;

/// <summary>What a failed pgBackRest call says about its repository, read from pgBackRest's own error classes.</summary>
public enum RepoFault
{
    /// <summary>Not a repository fault (or not one hyops tells apart).</summary>
    Other,

    /// <summary>The store answered 401/403: the key or its secret is wrong.</summary>
    Credentials,

    /// <summary>The store's certificate failed verification (unknown CA, wrong name).</summary>
    Tls,

    /// <summary>The store did not answer (refused, reset, timed out).</summary>
    Unreachable,
}

/// <summary>Classifies pgBackRest's stderr/stdout (and `info --output=json` status messages) into a <see cref="RepoFault"/>.</summary>
public static class PgBackRestFailure
{
    public static RepoFault Classify(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Contains("CryptoError", StringComparison.Ordinal) && output.Contains("certificate", StringComparison.Ordinal)
            || output.Contains("in certificate common name or subject alternative names", StringComparison.Ordinal))
        {
            return RepoFault.Tls;
        }

        if (output.Contains("HTTP request failed with 403", StringComparison.Ordinal) || output.Contains("HTTP request failed with 401", StringComparison.Ordinal))
        {
            return RepoFault.Credentials;
        }

        if (output.Contains("HostConnectError", StringComparison.Ordinal) || output.Contains("unable to connect to", StringComparison.Ordinal)
            || output.Contains("timeout after", StringComparison.Ordinal) && output.Contains("HTTP", StringComparison.Ordinal)
            // A store that accepts the connection and never answers (hung, stopped): the read or the TLS handshake times out.
            || output.Contains("timeout after", StringComparison.Ordinal) && (output.Contains("waiting for read from", StringComparison.Ordinal) || output.Contains("waiting for write to", StringComparison.Ordinal))
            || output.Contains("timeout connecting to", StringComparison.Ordinal))
        {
            return RepoFault.Unreachable;
        }

        return RepoFault.Other;
    }
}
