using BpfSharp.Btf;
using BpfSharp.Btf.Formatting;
using BpfSharp.Btf.Formatting.CSharp;
using BpfSharp.Compiler;
using BpfSharp.CoRe;
using BpfSharp.CoRe.Tools;
using BpfSharp.Instructions;
using BpfSharp.Linux;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;

namespace BpfSharp.Fuzzing;

/// <summary>
/// The fuzz targets: each takes untrusted bytes through one public entry point and everything it feeds. Shared by the
/// coverage-guided fuzzer (fuzz/BpfSharp.Fuzz) and the mutation tests (tests/.../Robustness), so a finding in one
/// is a regression test in the other. A target may throw only what docs/errors.md documents.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Target names, as the fuzzer's command line and the corpus folders spell them.</summary>
    public static readonly string[] Names = ["btf", "object", "btfext", "core", "minbtf", "csharp", "assembly", "loader"];

    /// <summary>The error contract: the exceptions an entry point that reads untrusted bytes may throw.</summary>
    public static bool IsDocumented(Exception e) => e is BpfFormatException or BpfLoadException or BpfAttachException
        or BpfSyscallException or IOException or UnauthorizedAccessException;

    /// <summary>Runs <paramref name="target"/> on <paramref name="data"/>; documented exceptions are swallowed.</summary>
    /// <param name="target">One of <see cref="Names"/>.</param>
    /// <param name="data">The untrusted input.</param>
    /// <param name="context">The fixed half of two-input targets (the object, or the kernel BTF).</param>
    public static void Run(string target, byte[] data, FuzzContext context)
    {
        try
        {
            switch (target)
            {
                case "btf": Btf(data); break;
                case "object": Object(data); break;
                case "btfext": BtfExtension(data, context); break;
                case "core": CoRe(data, context); break;
                case "minbtf": MinBtf(data, context); break;
                case "csharp": CSharp(data); break;
                case "assembly": Assembly(data, context); break;
                case "loader": Loader(data, context); break;
                default: throw new ArgumentException($"unknown fuzz target '{target}'", nameof(target));
            }
        }
        catch (Exception e) when (IsDocumented(e))
        {
        }
    }

    private static void Btf(byte[] data)
    {
        var spec = BtfSpec.Parse(data, null, "fuzz.btf");
        BtfRawFormatter.Write(spec, Stream.Null);
        BtfCFormatter.Write(spec, Stream.Null);
        BtfJsonFormatter.Write(spec, Stream.Null);
        for (int id = 1; id < spec.TypeCount; id++) _ = spec.SkipModifiersAndTypedefs(id);
    }

    private static void CSharp(byte[] data) => BtfCSharpFormatter.Write(BtfSpec.Parse(data, null, "fuzz.btf"), Stream.Null);

    private static void Object(byte[] data)
    {
        var spec = ObjectSpec.Read(data, "fuzz.o");
        foreach (var section in spec.ProgramSections)
            Disassembler.Write(TextWriter.Null, spec.GetInstructions(section.Index).Span, section.Name);
        foreach (var p in spec.Programs) _ = spec.GetReferences(p).Count();
        if (spec.BtfExt is { } ext)
            foreach (var s in ext.CoReRelocations)
                for (int i = 0; i < s.Count; i++) _ = s[i];
        if (spec.ProgramSections.FirstOrDefault() is { } first)
            new ObjectWriter(spec).ReplaceInstructions(first.Index, spec.GetInstructions(first.Index).Span).ToArray();
    }

    private static void BtfExtension(byte[] data, FuzzContext context)
    {
        var ext = BpfSharp.Objects.BtfExt.Parse(data, context.Object.Btf!, "fuzz.BTF.ext");
        foreach (var s in ext.CoReRelocations)
            for (int i = 0; i < s.Count; i++) _ = s[i];
    }

    private static void CoRe(byte[] data, FuzzContext context)
    {
        var target = BtfSpec.Parse(data, null, "fuzz-target.btf");
        var log = new CoReLog();
        CoReObjectRelocation.Relocate(context.Object, [new CoReTarget("vmlinux", target)], new CoReOptions { StopAtFirstError = false }, log);
        CoReCompatibility.CheckOne(new CoReCheckObject("fuzz.o", context.Object), "fuzz", target);
    }

    private static void MinBtf(byte[] data, FuzzContext context) =>
        MinimalBtf.GenerateBytes(BtfSpec.Parse(data, null, "fuzz-target.btf"), [context.Object]);

    private static void Assembly(byte[] data, FuzzContext context)
    {
        var path = Path.Combine(context.ScratchDirectory, $"fuzz-{Environment.CurrentManagedThreadId}.dll");
        File.WriteAllBytes(path, data);
        var options = new BpfCompilerOptions();
        options.ReferenceDirectories.Add(AppContext.BaseDirectory);
        var result = BpfCompiler.Compile(path, options);
        if (result.Success) ObjectSpec.Read(result.Object!, "compiled.o");
    }

    // Everything the loader does before its first bpf() call: read, BTF for the kernel, CO-RE against a kernel.
    private static void Loader(byte[] data, FuzzContext context)
    {
        var spec = ObjectSpec.Read(data, "fuzz.o");
        if (spec.Btf is not null) LoadableBtf.Prepare(spec, (BtfFeatures)(-1));
        var result = CoReObjectRelocation.Relocate(spec, [new CoReTarget("vmlinux", context.Kernel)]);
        _ = result.Result.Succeeded;
        foreach (var p in spec.Programs) _ = p.Definition;
    }
}

/// <summary>The fixed inputs of two-input targets.</summary>
/// <param name="Object">A BPF object with CO-RE relocations and BTF (the object of "core", "minbtf", "btfext").</param>
/// <param name="Kernel">A kernel BTF (the target of "loader").</param>
/// <param name="ScratchDirectory">Where the "assembly" target writes its input.</param>
public sealed record FuzzContext(ObjectSpec Object, BtfSpec Kernel, string ScratchDirectory);
