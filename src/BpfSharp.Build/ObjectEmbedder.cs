using Mono.Cecil;
using Mono.Cecil.Cil;

namespace BpfSharp.Build;

/// <summary>
/// Puts the compiled BPF object into the assembly it was compiled from, as a manifest resource. The object is
/// compiled from the assembly's IL, so it cannot be an input of the C# compile that made that IL: the assembly is
/// rewritten after the compile instead (the way IL weavers do), keeping its portable PDB in step.
/// </summary>
internal static class ObjectEmbedder
{
    /// <summary>Embeds <paramref name="objectBytes"/> as <paramref name="resourceName"/>, replacing an earlier copy.</summary>
    /// <param name="assemblyPath">The intermediate assembly (obj/…/Name.dll), rewritten in place.</param>
    /// <param name="resourceName">The manifest resource name the runtime looks for.</param>
    /// <param name="objectBytes">The BPF ELF object.</param>
    public static void Embed(string assemblyPath, string resourceName, byte[] objectBytes)
    {
        var pdbPath = Path.ChangeExtension(assemblyPath, ".pdb");
        var hasPdbFile = File.Exists(pdbPath);

        // Read everything into memory first: the files are overwritten below.
        var assemblyStream = new MemoryStream(File.ReadAllBytes(assemblyPath));
        var readerParameters = new ReaderParameters { ReadingMode = ReadingMode.Immediate, InMemory = true };
        MemoryStream? pdbStream = null;
        if (hasPdbFile)
        {
            pdbStream = new MemoryStream(File.ReadAllBytes(pdbPath));
            readerParameters.ReadSymbols = true;
            readerParameters.SymbolStream = pdbStream;
            readerParameters.SymbolReaderProvider = new PortablePdbReaderProvider();
        }
        else if (HasEmbeddedPdb(assemblyStream))
        {
            readerParameters.ReadSymbols = true;
            readerParameters.SymbolReaderProvider = new EmbeddedPortablePdbReaderProvider();
        }

        using var assembly = AssemblyDefinition.ReadAssembly(assemblyStream, readerParameters);
        var resources = assembly.MainModule.Resources;
        for (var i = resources.Count - 1; i >= 0; i--)
        {
            if (resources[i].Name == resourceName) resources.RemoveAt(i);
        }
        resources.Add(new EmbeddedResource(resourceName, ManifestResourceAttributes.Public, objectBytes));

        var writerParameters = new WriterParameters { DeterministicMvid = true };
        if (readerParameters.ReadSymbols)
        {
            writerParameters.WriteSymbols = true;
            writerParameters.SymbolWriterProvider = hasPdbFile ? new PortablePdbWriterProvider() : new EmbeddedPortablePdbWriterProvider();
        }

        if (hasPdbFile)
        {
            // Cecil writes Name.pdb beside the path it writes the assembly to.
            using var output = File.Create(assemblyPath);
            using var symbols = File.Create(pdbPath);
            writerParameters.SymbolStream = symbols;
            assembly.Write(output, writerParameters);
        }
        else
        {
            using var output = File.Create(assemblyPath);
            assembly.Write(output, writerParameters);
        }
        pdbStream?.Dispose();
    }

    private static bool HasEmbeddedPdb(Stream stream)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream, System.Reflection.PortableExecutable.PEStreamOptions.LeaveOpen);
        var embedded = pe.ReadDebugDirectory().Any(e => e.Type == System.Reflection.PortableExecutable.DebugDirectoryEntryType.EmbeddedPortablePdb);
        stream.Position = 0;
        return embedded;
    }
}
