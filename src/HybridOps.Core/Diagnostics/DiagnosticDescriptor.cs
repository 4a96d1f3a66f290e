namespace HybridOps.Core.Diagnostics;

/// <summary>A catalogued diagnostic: stable code, the exit code it implies, a message template and a hint.</summary>
public sealed record DiagnosticDescriptor(string Code, ExitCode ExitCode, string Title, string Hint)
{
    public Diagnostic Create(string message, SourceLocation? location = null, string? hint = null) =>
        new(Code, ExitCode, message, hint ?? Hint, location);
}
