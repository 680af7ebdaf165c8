using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Tests.Linux;

/// <summary>
/// Hand-assembled raw BTF for kernel tests: [1] INT 'int' (4 bytes, signed) and [2] STRUCT 'pair' {int a; int b;};
/// optionally [3] PTR to void, [4] FUNC_PROTO int (void *ctx) and [5] FUNC 'ret42' (static) plus the strings a
/// line_info record needs. Built byte by byte so the test does not depend on a BTF writer.
/// </summary>
internal static class TinyBtf
{
    public const int IntTypeId = 1;
    public const int PairTypeId = 2;
    public const int FuncTypeId = 5;
    public const string SourceFile = "ret42.c";
    public const string SourceLine = "return 42;";

    private const uint KindInt = 1, KindPtr = 2, KindStruct = 4, KindFunc = 12, KindFuncProto = 13;

    /// <summary>The valid blob; <paramref name="memberTypeId"/> lets a test point a member at a missing type.</summary>
    public static byte[] Build(uint memberTypeId = IntTypeId) => Build(memberTypeId, withFunction: false, out _, out _);

    /// <summary>The blob with the function types; returns the string offsets of <see cref="SourceFile"/> and <see cref="SourceLine"/>.</summary>
    public static byte[] BuildWithFunction(out uint fileNameOffset, out uint lineOffset) =>
        Build(IntTypeId, withFunction: true, out fileNameOffset, out lineOffset);

    private static byte[] Build(uint memberTypeId, bool withFunction, out uint fileNameOffset, out uint lineOffset)
    {
        var strings = new MemoryStream();
        uint Str(string s)
        {
            var offset = (uint)strings.Length;
            strings.Write(Encoding.ASCII.GetBytes(s + "\0"));
            return offset;
        }
        Str("");
        var types = new List<uint>();
        // [1] INT int: size 4, encoding SIGNED (1 << 24), offset 0, 32 bits.
        types.AddRange([Str("int"), KindInt << 24, 4, (1u << 24) | 32]);
        // [2] STRUCT pair: size 8, vlen 2; members a at bit 0, b at bit 32.
        types.AddRange([Str("pair"), (KindStruct << 24) | 2, 8]);
        types.AddRange([Str("a"), memberTypeId, 0]);
        types.AddRange([Str("b"), memberTypeId, 32]);
        fileNameOffset = lineOffset = 0;
        if (withFunction)
        {
            // [3] PTR -> void; [4] FUNC_PROTO returning int with one parameter 'ctx'; [5] FUNC 'ret42', static.
            types.AddRange([0, KindPtr << 24, 0]);
            types.AddRange([0, (KindFuncProto << 24) | 1, IntTypeId]);
            types.AddRange([Str("ctx"), 3]);
            types.AddRange([Str("ret42"), KindFunc << 24, 4]);
            fileNameOffset = Str(SourceFile);
            lineOffset = Str(SourceLine);
        }

        var typeBytes = types.Count * 4;
        var stringBytes = (int)strings.Length;
        var blob = new byte[24 + typeBytes + stringBytes];
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(0), 0xeb9f);
        blob[2] = 1; // version
        blob[3] = 0; // flags
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), 24);                 // hdr_len
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(8), 0);                  // type_off
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(12), (uint)typeBytes);   // type_len
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(16), (uint)typeBytes);   // str_off
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(20), (uint)stringBytes); // str_len
        for (var i = 0; i < types.Count; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(24 + i * 4), types[i]);
        strings.ToArray().CopyTo(blob, 24 + typeBytes);
        return blob;
    }
}
