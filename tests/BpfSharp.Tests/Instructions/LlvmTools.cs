using System.Text;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Instructions;

/// <summary>Runs the LLVM 19 oracles (llvm-mc, llvm-objdump, clang). A missing tool fails the test with a clear message.</summary>
internal static class LlvmTools
{
    public static string Mc => Environment.GetEnvironmentVariable("BPFSHARP_LLVM_MC") ?? "llvm-mc-19";
    public static string Objdump => Environment.GetEnvironmentVariable("BPFSHARP_LLVM_OBJDUMP") ?? "llvm-objdump-19";
    public static string Clang => Environment.GetEnvironmentVariable("BPFSHARP_CLANG") ?? "clang-19";

    /// <summary>Runs a tool and returns its stdout; a missing tool or a non-zero exit fails the test.</summary>
    public static string Run(string tool, params string[] args) => ExternalTool.RunText(tool, args);

    /// <summary>Assembles BPF assembly text into an object with llvm-mc.</summary>
    public static byte[] Assemble(string assembly, bool bigEndian = false, string cpu = "v4")
    {
        var dir = Infrastructure.TestPaths.NewScratchDirectory("insn-mc");
        try
        {
            var source = Path.Combine(dir, "input.s");
            var obj = Path.Combine(dir, "input.o");
            File.WriteAllText(source, assembly);
            Run(Mc, "-triple", bigEndian ? "bpfeb" : "bpfel", "-mcpu=" + cpu, "-filetype=obj", source, "-o", obj);
            return File.ReadAllBytes(obj);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Assembly that places raw slots in .text with .byte directives.</summary>
    public static string RawBytesAssembly(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder("\t.text\n");
        for (int i = 0; i < bytes.Length; i += 8)
        {
            sb.Append("\t.byte ");
            for (int j = i; j < Math.Min(i + 8, bytes.Length); j++)
            {
                if (j > i) sb.Append(',');
                sb.Append("0x").Append(bytes[j].ToString("x2"));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Compiles a C file to a BPF object; returns the object path.</summary>
    public static string CompileC(string source, string outputDirectory, string cpu, bool bigEndian = false)
    {
        var obj = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(source) + $"-{cpu}{(bigEndian ? "-eb" : "")}.o");
        var args = new List<string> { "-O2", "-g", "-target", bigEndian ? "bpfeb" : "bpfel", "-mcpu=" + cpu, "-c", source, "-o", obj };
        // <asm/types.h> lives in the multiarch include directory on Debian.
        foreach (var dir in Directory.Exists("/usr/include") ? Directory.GetDirectories("/usr/include", "*-linux-gnu*") : [])
            if (File.Exists(Path.Combine(dir, "asm", "types.h"))) { args.Add("-I" + dir); break; }
        Run(Clang, [.. args]);
        return obj;
    }

    /// <summary>llvm-objdump -d output of an object written to a scratch file.</summary>
    public static string Disassemble(byte[] objectBytes, bool rawInstructions = false)
    {
        var dir = Infrastructure.TestPaths.NewScratchDirectory("insn-od");
        try
        {
            var obj = Path.Combine(dir, "x.o");
            File.WriteAllBytes(obj, objectBytes);
            return DisassembleFile(obj, rawInstructions);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>llvm-objdump -d output of an object file.</summary>
    public static string DisassembleFile(string path, bool rawInstructions = false) =>
        rawInstructions ? Run(Objdump, "-d", path) : Run(Objdump, "-d", "--no-show-raw-insn", path);
}
