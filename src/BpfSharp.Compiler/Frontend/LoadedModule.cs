using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace BpfSharp.Compiler.Frontend;

/// <summary>One assembly read with System.Reflection.Metadata, plus its portable PDB when there is one.</summary>
internal sealed class LoadedModule : IDisposable
{
    private readonly PEReader _pe;
    private readonly MetadataReaderProvider? _pdbProvider;

    private LoadedModule(string path, PEReader pe, MetadataReader reader, MetadataReaderProvider? pdb)
    {
        Path = path;
        _pe = pe;
        Reader = reader;
        _pdbProvider = pdb;
        Pdb = pdb?.GetMetadataReader();
        Name = reader.GetString(reader.GetAssemblyDefinition().Name);
    }

    public string Path { get; }
    public string Name { get; }
    public MetadataReader Reader { get; }
    public MetadataReader? Pdb { get; }

    /// <summary>BpfSharp.Kernel: its methods are thin wrappers over helpers and always inlined.</summary>
    public bool IsKernelAssembly => Name == "BpfSharp.Kernel";

    public static LoadedModule Open(string path)
    {
        var stream = File.OpenRead(path);
        var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            pe.Dispose();
            throw new BadImageFormatException($"{path}: not a .NET assembly (no metadata)");
        }

        var reader = pe.GetMetadataReader();
        MetadataReaderProvider? pdb = null;
        try
        {
            if (!pe.TryOpenAssociatedPortablePdb(path, p => File.Exists(p) ? File.OpenRead(p) : null, out pdb, out _))
            {
                pdb = null;
            }
        }
        catch (BadImageFormatException)
        {
            pdb = null; // a Windows PDB or a damaged one: compile without line info
        }

        return new LoadedModule(path, pe, reader, pdb);
    }

    public MethodBodyBlock? GetMethodBody(MethodDefinitionHandle handle)
    {
        var def = Reader.GetMethodDefinition(handle);
        return def.RelativeVirtualAddress == 0 ? null : _pe.GetMethodBody(def.RelativeVirtualAddress);
    }

    /// <summary>Sequence points of a method (IL offset → document, line, column), hidden ones dropped.</summary>
    /// <summary>The initial bytes of a field with an RVA (what C# emits for <c>"…"u8</c> literals and constant
    /// arrays turned into spans), or null if the image does not hold <paramref name="size"/> bytes there.</summary>
    public byte[]? GetFieldData(FieldDefinitionHandle handle, int size)
    {
        var rva = Reader.GetFieldDefinition(handle).GetRelativeVirtualAddress();
        if (rva == 0 || size < 0)
        {
            return null;
        }

        var block = _pe.GetSectionData(rva);
        return block.Length < size ? null : block.GetContent(0, size).ToArray();
    }

    public List<(int IlOffset, string Document, int Line, int Column)> GetSequencePoints(MethodDefinitionHandle handle)
    {
        var result = new List<(int, string, int, int)>();
        if (Pdb is null)
        {
            return result;
        }

        var info = Pdb.GetMethodDebugInformation(MetadataTokens.MethodDebugInformationHandle(MetadataTokens.GetRowNumber(handle)));
        foreach (var sp in info.GetSequencePoints())
        {
            if (sp.IsHidden || sp.Document.IsNil)
            {
                continue;
            }

            var doc = Pdb.GetDocument(sp.Document);
            result.Add((sp.Offset, Pdb.GetString(doc.Name), sp.StartLine, sp.StartColumn));
        }

        return result;
    }

    /// <summary>The source name of a method's local variable, from the PDB's local scopes, or null.</summary>
    public string? GetLocalName(MethodDefinitionHandle handle, int index)
    {
        if (Pdb is null)
        {
            return null;
        }

        foreach (var scopeHandle in Pdb.GetLocalScopes(handle))
        {
            foreach (var variableHandle in Pdb.GetLocalScope(scopeHandle).GetLocalVariables())
            {
                var variable = Pdb.GetLocalVariable(variableHandle);
                if (variable.Index == index)
                {
                    return Pdb.GetString(variable.Name);
                }
            }
        }

        return null;
    }

    public void Dispose()
    {
        _pdbProvider?.Dispose();
        _pe.Dispose();
    }
}
