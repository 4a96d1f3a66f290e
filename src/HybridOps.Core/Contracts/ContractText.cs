using System.Buffers;
using System.Text;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Contracts;

/// <summary>Turns a contract file's bytes into text: size bound, UTF-8 only, a UTF-8 byte order mark is dropped.</summary>
internal static class ContractText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string? Decode(string file, ReadOnlySpan<byte> bytes, List<Diagnostic> errors)
    {
        if (bytes.Length > ContractLimits.MaxBytes)
        {
            errors.Add(DiagnosticCatalog.DocumentTooLarge.Create(
                $"the file is {bytes.Length} bytes; the loader accepts at most {ContractLimits.MaxBytes}", new SourceLocation(file, 1)));
            return null;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            || bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            errors.Add(DiagnosticCatalog.EncodingInvalid.Create("the file starts with a UTF-16/UTF-32 byte order mark", new SourceLocation(file, 1)));
            return null;
        }

        var bad = System.Text.Unicode.Utf8.IsValid(bytes) ? -1 : FirstInvalidByte(bytes);
        if (bad >= 0)
        {
            var line = bytes[..bad].Count((byte)'\n') + 1;
            var column = bad - (bytes[..bad].LastIndexOf((byte)'\n') + 1) + 1;
            errors.Add(DiagnosticCatalog.EncodingInvalid.Create(
                $"byte 0x{bytes[bad]:X2} at offset {bad} is not valid UTF-8 (a latin-1 or other 8-bit file?)", new SourceLocation(file, line, column)));
            return null;
        }

        return Strict.GetString(bytes);
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return -1;
    }
}
