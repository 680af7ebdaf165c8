using System.Reflection;
using BpfSharp.Compiler;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;

namespace BpfSharp.Compilation;

/// <summary>
/// Loads the BPF programs written in C# into the kernel: compiles an assembly with <see cref="BpfCompiler"/> (or
/// takes the <c>.bpf.o</c> the MSBuild target left next to it) and loads the object with <see cref="BpfCollection"/>.
/// </summary>
public static class BpfProgramSet
{
    /// <summary>The file name suffix of the sidecar object the build can write next to an assembly (<c>BpfSidecarObject</c>).</summary>
    public const string ObjectSuffix = ".bpf.o";

    /// <summary>
    /// Compiles the BPF programs of the assembly at <paramref name="assemblyPath"/> and loads them.
    /// </summary>
    /// <param name="assemblyPath">The .NET assembly (with its portable PDB beside it for line info).</param>
    /// <param name="options">Loader options (target BTF, pin root, …); null for the defaults.</param>
    /// <param name="compilerOptions">Compiler options (reference directories, program filter); null for the defaults.</param>
    /// <returns>The loaded programs and maps; dispose it to release them.</returns>
    /// <exception cref="BpfCompilationException">The C# cannot be compiled to BPF; the diagnostics say where and why.</exception>
    public static BpfCollection CompileAndLoad(string assemblyPath, BpfLoaderOptions? options = null, BpfCompilerOptions? compilerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(assemblyPath);
        var obj = BpfCompiler.Compile(assemblyPath, compilerOptions).GetObjectOrThrow();
        return BpfCollection.Load(ObjectSpec.Read(obj, Path.ChangeExtension(assemblyPath, ObjectSuffix)), options);
    }

    /// <summary>
    /// Compiles the BPF programs of the assembly at <paramref name="assemblyPath"/> and opens the object without
    /// loading it, so that <c>.rodata</c> variables, map sizes and autoload can be set first (then
    /// <see cref="BpfObject.Load"/>).
    /// </summary>
    /// <exception cref="BpfCompilationException">The C# cannot be compiled to BPF.</exception>
    public static BpfObject CompileAndOpen(string assemblyPath, BpfLoaderOptions? options = null, BpfCompilerOptions? compilerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(assemblyPath);
        var obj = BpfCompiler.Compile(assemblyPath, compilerOptions).GetObjectOrThrow();
        return BpfObject.Open(ObjectSpec.Read(obj, Path.ChangeExtension(assemblyPath, ObjectSuffix)), options);
    }

    /// <summary>
    /// Loads the BPF programs of <paramref name="assembly"/>: from the object the BpfSharp build embedded in it, else
    /// from the sidecar object next to it (<c>Name.bpf.o</c>) when that is at least as new as the assembly, otherwise
    /// by compiling the assembly's file now.
    /// </summary>
    /// <param name="assembly">An assembly with BPF programs, typically <c>typeof(MyProbes).Assembly</c>.</param>
    /// <param name="options">Loader options; null for the defaults.</param>
    /// <returns>The loaded programs and maps; dispose it to release them.</returns>
    /// <exception cref="BpfCompilationException">There was no usable sidecar and compiling failed.</exception>
    /// <exception cref="FileNotFoundException">The assembly has no file (single-file app or in-memory assembly) and no sidecar object.</exception>
    public static BpfCollection LoadCompiledFor(Assembly assembly, BpfLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (assembly.GetManifestResourceInfo(BpfObject.EmbeddedResourceName) is not null)
        {
            using var embedded = BpfObject.OpenEmbedded(assembly);
            return BpfCollection.Load(embedded.Spec, options);
        }

        var sidecar = FindObjectFor(assembly);
        if (sidecar is not null)
        {
            return BpfCollection.Load(ObjectSpec.Load(sidecar), options);
        }

        var path = AssemblyFile(assembly)
            ?? throw new FileNotFoundException(
                $"assembly '{assembly.GetName().Name}' has no file to compile and no {ObjectSuffix} beside the application", assembly.GetName().Name + ObjectSuffix);
        return CompileAndLoad(path, options);
    }

    /// <summary>
    /// The up-to-date sidecar object for <paramref name="assembly"/>, or null: <c>Name.bpf.o</c> next to the
    /// assembly's file (or, for assemblies without a file, in <see cref="AppContext.BaseDirectory"/>), ignored when
    /// older than the assembly file.
    /// </summary>
    public static string? FindObjectFor(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var file = AssemblyFile(assembly);
        var candidate = file is not null
            ? Path.ChangeExtension(file, ObjectSuffix)
            : Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ObjectSuffix);
        if (!File.Exists(candidate))
        {
            return null;
        }

        // A stale object (the build failed after the assembly changed) must not silently run old code.
        return file is not null && File.GetLastWriteTimeUtc(candidate) < File.GetLastWriteTimeUtc(file) ? null : candidate;
    }

    private static string? AssemblyFile(Assembly assembly)
    {
#pragma warning disable IL3000 // Location is empty in single-file apps: handled (sidecar in the base directory).
        var location = assembly.Location;
#pragma warning restore IL3000
        return string.IsNullOrEmpty(location) || !File.Exists(location) ? null : location;
    }
}
