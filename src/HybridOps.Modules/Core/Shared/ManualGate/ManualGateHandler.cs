using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Core.Shared.ManualGate;

/// <summary>
/// core/shared/manual-gate: an explicit operator confirmation. `status` issues a fresh one-time nonce;
/// `deploy` confirms only with confirm=true, the typed target equal to the expected one, inside the
/// window, and confirm_nonce equal to the latest issued, unexpired, unused nonce (consumed on success).
/// Refusals are HYO3xxx (exit 3); every confirmation and refusal is a guard entry in the run record.
/// </summary>
public sealed partial class ManualGateHandler : IModuleHandler
{
    public const string Ref = "core/shared/manual-gate";

    public string ModuleRef => Ref;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex GateIdPattern();

    public void Validate(ModuleContext context)
    {
        var gateId = context.Inputs.String("gate_id") ?? "";
        if (!GateIdPattern().IsMatch(gateId))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"gate_id '{gateId}' must match [a-z0-9][a-z0-9_-]{{0,62}}");
        }

        var start = ParseTime(context, "window_start");
        var end = ParseTime(context, "window_end");
        if (start is not null && end is not null && end <= start)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "window_end must be after window_start");
        }

        if (context.Inputs.String("target_state_ref") is not null && context.Inputs.String("target_output_key") is null)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "target_state_ref needs target_output_key (the output holding the expected target)");
        }

        if (context.Action != "destroy" && context.Inputs.String("expected_target") is null && context.Inputs.String("target_state_ref") is null)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "set expected_target, or target_state_ref + target_output_key: a gate always names the target it confirms");
        }

        if (context.Inputs.Values.Int("nonce_ttl_s") is not > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "nonce_ttl_s must be a positive integer");
        }
    }

    public Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var gateId = context.Inputs.String("gate_id")!;
        var store = new GateNonceStore(context.States.ModulesDir, gateId, context.Instance);
        return Task.FromResult(context.Action switch
        {
            "status" => IssueNonce(context, gateId, store),
            "destroy" => Retire(context, gateId, store),
            _ => Confirm(context, gateId, store),
        });
    }

    private static ModuleOutcome IssueNonce(ModuleContext context, string gateId, GateNonceStore store)
    {
        var now = context.Time.GetUtcNow();
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expires = now.AddSeconds(context.Inputs.Values.Int("nonce_ttl_s")!.Value);
        var expected = ExpectedTarget(context);
        store.Write(new JsonObject
        {
            ["gate_id"] = gateId,
            ["nonce"] = nonce,
            ["issued_at"] = now.ToString("O"),
            ["issued_run_id"] = context.RunId,
            ["expires_at"] = expires.ToString("O"),
            ["target"] = expected,
            ["consumed_at"] = null,
        });
        context.Evidence.Append("gate_nonce_issued", new JsonObject
        {
            ["gate_id"] = gateId, ["nonce"] = nonce, ["issued_at"] = now.ToString("O"), ["expires_at"] = expires.ToString("O"), ["target"] = expected,
        });
        context.Progress.Report($"gate {gateId}: confirm target '{expected}' with confirm: true, confirm_target and confirm_nonce: {nonce} (valid until {expires:O})");
        var previous = context.Previous?.Status == "ok" ? context.Previous.Outputs : null;
        return ModuleOutcome.Ok(new JsonObject
        {
            ["gate_id"] = gateId,
            ["confirmed"] = previous?["confirmed"]?.DeepClone() ?? false,
            ["confirmed_by"] = previous?["confirmed_by"]?.DeepClone(),
            ["confirmed_at"] = previous?["confirmed_at"]?.DeepClone(),
            ["target"] = expected,
            ["nonce"] = nonce,
            ["nonce_expires_at"] = expires.ToString("O"),
        });
    }

    private static ModuleOutcome Retire(ModuleContext context, string gateId, GateNonceStore store)
    {
        store.Delete();
        context.Evidence.Note($"gate {gateId}: retired; any issued nonce is void");
        return ModuleOutcome.Destroyed();
    }

    private static ModuleOutcome Confirm(ModuleContext context, string gateId, GateNonceStore store)
    {
        var now = context.Time.GetUtcNow();
        var operatorName = context.Inputs.String("operator") ?? Environment.UserName;
        var typed = context.Inputs.String("confirm_target")?.Trim();
        var given = context.Inputs.String("confirm_nonce")?.Trim();
        var detail = new JsonObject
        {
            ["gate_id"] = gateId,
            ["operator"] = operatorName,
            ["at"] = now.ToString("O"),
            ["nonce"] = given,
            ["typed_target"] = typed,
            ["window_start"] = context.Inputs.String("window_start"),
            ["window_end"] = context.Inputs.String("window_end"),
        };

        if (!context.Inputs.Bool("confirm"))
        {
            throw Refuse(context, detail, DiagnosticCatalog.ConfirmationRequired, $"gate '{gateId}': input 'confirm' is not true");
        }

        var start = ParseTime(context, "window_start");
        var end = ParseTime(context, "window_end");
        if ((start is not null && now < start) || (end is not null && now > end))
        {
            throw Refuse(context, detail, DiagnosticCatalog.OutsideWindow,
                $"gate '{gateId}': now ({now:O}) is outside the window {start?.ToString("O") ?? "-"} .. {end?.ToString("O") ?? "-"}");
        }

        var expected = ExpectedTarget(context);
        detail["target"] = expected;
        if (typed is null || !string.Equals(typed, expected, StringComparison.Ordinal))
        {
            throw Refuse(context, detail, DiagnosticCatalog.ConfirmationTargetMismatch,
                $"gate '{gateId}': typed target '{typed ?? ""}' is not the expected target '{expected}'");
        }

        var issued = store.Read();
        var why = issued is null ? "no nonce was issued (run `hyops module status` of the gate first)"
            : given is null ? "confirm_nonce is empty"
            : issued["consumed_at"] is not null ? "the latest nonce was already used"
            : !FixedEquals(issued["nonce"]?.GetValue<string>() ?? "", given) ? "confirm_nonce is not the latest issued nonce"
            : DateTimeOffset.Parse(issued["expires_at"]!.GetValue<string>(), CultureInfo.InvariantCulture) < now ? "the nonce expired"
            : !string.Equals(issued["target"]?.GetValue<string>(), expected, StringComparison.Ordinal) ? "the nonce was issued for another target"
            : null;
        if (why is not null)
        {
            throw Refuse(context, detail, DiagnosticCatalog.ConfirmationNonceInvalid, $"gate '{gateId}': {why}");
        }

        issued!["consumed_at"] = now.ToString("O");
        issued["consumed_run_id"] = context.RunId;
        issued["consumed_by"] = operatorName;
        store.Write(issued);
        context.Evidence.Guard(gateId, true, detail);
        return ModuleOutcome.Ok(new JsonObject
        {
            ["gate_id"] = gateId,
            ["confirmed"] = true,
            ["confirmed_by"] = operatorName,
            ["confirmed_at"] = now.ToString("O"),
            ["target"] = expected,
            ["nonce"] = given,
        });
    }

    private static HyopsException Refuse(ModuleContext context, JsonObject detail, DiagnosticDescriptor descriptor, string message)
    {
        detail["refused"] = message;
        detail["code"] = descriptor.Code;
        context.Evidence.Guard((string)detail["gate_id"]!, false, detail);
        return HyopsException.From(descriptor, message);
    }

    private static string ExpectedTarget(ModuleContext context)
    {
        if (context.Inputs.String("expected_target") is { } literal)
        {
            return literal.Trim();
        }

        var key = context.Inputs.String("target_output_key")!;
        var state = context.Inputs.State("target_state_ref")!;
        return state.Outputs[key] switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => v.ToJsonString(),
            _ => throw HyopsException.From(DiagnosticCatalog.InputInvalid,
                $"state '{state.ModuleRef}' has no non-empty output '{key}' to confirm against"),
        };
    }

    private static DateTimeOffset? ParseTime(ModuleContext context, string key)
    {
        var text = context.Inputs.Values[key] switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v when v.TryGetValue<DateTime>(out var d) => d.ToString("O", CultureInfo.InvariantCulture),
            null => null,
            var other => other.ToJsonString(),
        };
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"input '{key}' ('{text}') is not an ISO 8601 time");
    }

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
