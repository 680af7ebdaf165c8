using BpfSharp.Compiler;
using Microsoft.Build.Framework;
using Task = Microsoft.Build.Utilities.Task;

namespace BpfSharp.Build;

/// <summary>
/// Compiles the BPF programs of the project's assembly in the build process (no external tool), reports each
/// compiler diagnostic once as an MSBuild error or warning at its C# file, line and column, writes the object and
/// embeds it in the assembly. An assembly without BPF programs is left alone.
/// </summary>
public sealed class BpfCompileTask : Task
{
    /// <summary>The assembly the C# compile produced (<c>@(IntermediateAssembly)</c>).</summary>
    [Required]
    public string AssemblyPath { get; set; } = "";

    /// <summary>Where to write the BPF object.</summary>
    [Required]
    public string ObjectPath { get; set; } = "";

    /// <summary>The project's resolved references (<c>@(ReferencePath)</c>): their folders are searched for referenced assemblies.</summary>
    public ITaskItem[] ReferencePaths { get; set; } = [];

    /// <summary>True to embed the object in <see cref="AssemblyPath"/> as <see cref="ResourceName"/>.</summary>
    public bool Embed { get; set; } = true;

    /// <summary>The manifest resource name (the runtime's <c>BpfObject.EmbeddedResourceName</c>).</summary>
    public string ResourceName { get; set; } = "BpfSharp.Object.bpf.o";

    /// <summary>Set to true when the assembly had BPF programs and the object was written.</summary>
    [Output]
    public bool ObjectWritten { get; set; }

    /// <inheritdoc />
    public override bool Execute()
    {
        var options = new BpfCompilerOptions();
        foreach (var dir in ReferencePaths.Select(r => Path.GetDirectoryName(r.GetMetadata("FullPath"))).Distinct(StringComparer.Ordinal))
        {
            if (!string.IsNullOrEmpty(dir)) options.ReferenceDirectories.Add(dir);
        }

        BpfCompilation compilation;
        try
        {
            compilation = BpfCompiler.Compile(AssemblyPath, options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.LogError(null, "BPFS9000", null, AssemblyPath, 0, 0, 0, 0,
                "the BpfSharp compiler failed unexpectedly ({0}: {1}); please report this with the assembly", e.GetType().Name, e.Message);
            return false;
        }

        // An assembly that only references BpfSharp (a library, a test project) has nothing to compile.
        if (compilation.Diagnostics.Count > 0 && compilation.Diagnostics.All(d => d.Id == DiagnosticIds.NoPrograms))
        {
            Log.LogMessage(MessageImportance.Low, "{0}: no BPF programs, nothing to compile", AssemblyPath);
            if (File.Exists(ObjectPath)) File.Delete(ObjectPath);
            return true;
        }

        foreach (var d in compilation.Diagnostics)
        {
            var at = d.Location;
            var message = $"{d.Message} [in {at.Method}]";
            if (d.IsError) Log.LogError(null, d.Id, null, at.File, at.Line, at.Column, 0, 0, "{0}", message);
            else Log.LogWarning(null, d.Id, null, at.File, at.Line, at.Column, 0, 0, "{0}", message);
        }

        if (!compilation.Success)
        {
            if (File.Exists(ObjectPath)) File.Delete(ObjectPath);
            return false;
        }

        try
        {
            if (Embed) ObjectEmbedder.Embed(AssemblyPath, ResourceName, compilation.Object!);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(ObjectPath))!);
            // Written after the assembly so that it is the newer file: the target's incremental check then holds.
            File.WriteAllBytes(ObjectPath, compilation.Object!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            Log.LogError(null, "BPFS9001", null, AssemblyPath, 0, 0, 0, 0, "cannot embed the BPF object: {0}", e.Message);
            return false;
        }

        ObjectWritten = true;
        Log.LogMessage(MessageImportance.Normal, "{0}: {1} BPF program(s) -> {2}{3}", Path.GetFileName(AssemblyPath),
            compilation.Programs.Count, ObjectPath, Embed ? " (embedded)" : "");
        return true;
    }
}
