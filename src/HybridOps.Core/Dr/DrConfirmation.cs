namespace HybridOps.Core.Dr;

/// <summary>A guard input of the option's blueprint the operator must type: step, input, the value it must equal.</summary>
public sealed record DrConfirmation(string Step, string Input, string Value, string What);
