using BpfSharp.Compiler;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Robustness;

/// <summary>Issue 13, D12: a corrupted assembly is a compiler diagnostic, never an exception from the metadata reader.</summary>
public class CorruptAssemblyTests
{
    [Fact]
    public void MutatedAssembliesGiveDiagnosticsNotExceptions()
    {
        var original = File.ReadAllBytes(CompiledTestPrograms.AssemblyPath);
        var dir = TestPaths.NewScratchDirectory("corrupt-assembly");
        var options = new BpfCompilerOptions();
        options.ReferenceDirectories.Add(AppContext.BaseDirectory);
        var random = new Random(13);
        var outcomes = new Dictionary<string, int>();
        for (int i = 0; i < 150; i++)
        {
            var mutant = (byte[])original.Clone();
            // A few bytes anywhere, or a run in the metadata half where the tables and heaps are.
            int flips = 1 + random.Next(8);
            for (int f = 0; f < flips; f++)
                mutant[random.Next(i % 2 == 0 ? 0 : mutant.Length / 2, mutant.Length)] = (byte)random.Next(256);
            var path = Path.Combine(dir, $"mutant{i}.dll");
            File.WriteAllBytes(path, mutant);
            BpfCompilation result;
            try
            {
                result = BpfCompiler.Compile(path, options);
            }
            catch (Exception e)
            {
                Assert.Fail($"mutant {i}: {e.GetType().Name} escaped: {e}");
                throw;
            }
            var key = result.Success ? "compiled" : result.Diagnostics.First(d => d.IsError).Id;
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            File.Delete(path);
        }
        Assert.True(outcomes.Count > 1, string.Join(", ", outcomes));
    }
}

/// <summary>Fuzzer findings (assembly target, first 30 s run), rebuilt from scratch: each is a diagnostic.</summary>
public class AssemblyFuzzFindingTests
{
    // A minimal PE with metadata: a module and <Module>, with or without an assembly row.
    private static byte[] MinimalPe(bool withAssembly)
    {
        var metadata = new System.Reflection.Metadata.Ecma335.MetadataBuilder();
        metadata.AddModule(0, metadata.GetOrAddString("m.dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        if (withAssembly)
            metadata.AddAssembly(metadata.GetOrAddString("m"), new Version(1, 0), default, default, 0, 0);
        metadata.AddTypeDefinition(0, default, metadata.GetOrAddString("<Module>"), default,
            System.Reflection.Metadata.Ecma335.MetadataTokens.FieldDefinitionHandle(1), System.Reflection.Metadata.Ecma335.MetadataTokens.MethodDefinitionHandle(1));
        var pe = new System.Reflection.PortableExecutable.ManagedPEBuilder(
            System.Reflection.PortableExecutable.PEHeaderBuilder.CreateLibraryHeader(),
            new System.Reflection.Metadata.Ecma335.MetadataRootBuilder(metadata), new System.Reflection.Metadata.BlobBuilder());
        var blob = new System.Reflection.Metadata.BlobBuilder();
        pe.Serialize(blob);
        return blob.ToArray();
    }

    private static BpfCompilation Compile(byte[] image, string name)
    {
        var path = Path.Combine(TestPaths.NewScratchDirectory("assembly-findings"), name);
        File.WriteAllBytes(path, image);
        return BpfCompiler.Compile(path);
    }

    [Fact]
    public void MetadataWithoutAnAssemblyRowIsADiagnostic()
    {
        var result = Compile(MinimalPe(withAssembly: false), "netmodule.dll"); // was InvalidOperationException
        Assert.False(result.Success);
        Assert.Contains("malformed assembly", Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public void AStreamHeaderPastTheImageIsADiagnostic()
    {
        var image = MinimalPe(withAssembly: true);
        Assert.True(Compile(image, "fine.dll").Diagnostics.All(d => d.Id != "BPFS2001"));
        // Metadata root: "BSJB", versions, reserved, version length L, version, flags, stream count, then headers
        // {offset, size, name}: the first stream's offset and size pushed to the end of the address space.
        int root = image.AsSpan().IndexOf("BSJB"u8);
        int versionLength = BitConverter.ToInt32(image, root + 12);
        int firstHeader = root + 16 + versionLength + 4;
        BitConverter.TryWriteBytes(image.AsSpan(firstHeader), 0x7fff_fff0);
        BitConverter.TryWriteBytes(image.AsSpan(firstHeader + 4), 0x7fff_fff0);
        var result = Compile(image, "overflow.dll"); // was OverflowException from MetadataReader.ReadStreamHeaders
        Assert.False(result.Success);
        Assert.Equal("BPFS2001", result.Diagnostics.First(d => d.IsError).Id);
    }
}
