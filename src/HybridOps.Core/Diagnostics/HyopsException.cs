using System.Collections.Immutable;

namespace HybridOps.Core.Diagnostics;

/// <summary>
/// An expected, user-facing failure carrying one or more catalogued diagnostics.
/// Caught once in the CLI and mapped to the exit code of its first diagnostic.
/// Anything else that escapes is a bug (exit code 1).
/// </summary>
public class HyopsException : Exception
{
    public HyopsException(Diagnostic diagnostic)
        : this(ImmutableArray.Create(diagnostic))
    {
    }

    public HyopsException(ImmutableArray<Diagnostic> diagnostics, Exception? inner = null)
        : base(diagnostics.IsDefaultOrEmpty ? "hyops failure" : diagnostics[0].ToString(), inner)
    {
        Diagnostics = diagnostics;
    }

    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public ExitCode ExitCode => Diagnostics.IsDefaultOrEmpty ? ExitCode.InternalError : Diagnostics[0].ExitCode;

    public static HyopsException From(DiagnosticDescriptor descriptor, string message, SourceLocation? location = null, string? hint = null) =>
        new(descriptor.Create(message, location, hint));
}
