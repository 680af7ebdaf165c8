using System.Diagnostics;
using System.Globalization;
using System.Text;
using BpfSharp.Linux.Symbols;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// Kernel and user-space symbolisation. Kernel: the parser on hand-written kallsyms text, then the running
/// kernel's table (every symbol bpftool and kallsyms agree on resolves to itself). User space: a C program prints
/// the run-time addresses of its functions and of libc's <c>getppid</c>, built as PIE and as a fixed-address
/// executable; <see cref="ProcessSymbols"/> must name each address from <c>/proc/PID/maps</c> and the files alone.
/// </summary>
public sealed class SymbolTests
{
    private const string Kallsyms = """
        ffffffff81000000 T _stext
        ffffffff81000000 T startup_64
        ffffffff81001000 t helper_a
        ffffffff81002000 T do_sys_openat2
        ffffffffc0100000 t mod_func	[bpfsharp_mod]
        ffffffffc0100040 T mod_other	[bpfsharp_mod]
        """;

    [Fact]
    public void KallsymsTextResolvesToTheNearestSymbolBelow()
    {
        var table = KernelSymbolTable.Parse(Encoding.ASCII.GetBytes(Kallsyms));
        Assert.Equal(6, table.Count);
        Assert.False(table.AddressesHidden);
        Assert.Equal("do_sys_openat2+0x1a", table.Format(0xffffffff8100201a));
        Assert.Equal("helper_a+0x0", table.Format(0xffffffff81001000));
        // Equal addresses: the name sorting last wins, as libbpf-tools' ksyms__map_addr.
        Assert.Equal("startup_64+0x10", table.Format(0xffffffff81000010));
        Assert.Equal("mod_func+0x8 [bpfsharp_mod]", table.Format(0xffffffffc0100008));
        Assert.True(table.TryResolve(0xffffffffc0100044, out var resolved));
        Assert.Equal(new KernelSymbol("mod_other", 0xffffffffc0100040, 'T', "bpfsharp_mod"), resolved.Symbol);
        Assert.Equal(4ul, resolved.Offset);
        Assert.Equal("0x1000", table.Format(0x1000));
        Assert.Equal(0xffffffff81001000ul, table.Find("helper_a")!.Value.Address);
        Assert.Null(table.Find("missing"));
    }

    [Fact]
    public void HiddenAddressesResolveNothing()
    {
        var table = KernelSymbolTable.Parse("0000000000000000 T _stext\n0000000000000000 t x\n"u8);
        Assert.True(table.AddressesHidden);
        Assert.False(table.TryResolve(0x10, out _));
    }

    [Theory]
    [InlineData("ffffffff81000000T x\n", 1)]
    [InlineData("ffffffff81000000 T x\nzz T y\n", 2)]
    [InlineData("ffffffff81000000 T x\tmodule\n", 1)]
    [InlineData("ffffffff81000000 T \n", 1)]
    public void MalformedKallsymsNamesTheLine(string text, int line)
    {
        var error = Assert.Throws<FormatException>(() => KernelSymbolTable.Parse(Encoding.ASCII.GetBytes(text), "test-kallsyms"));
        Assert.StartsWith($"test-kallsyms: line {line}:", error.Message);
    }

    [Fact]
    public void RunningKernelSymbolsResolveToThemselves()
    {
        KernelObjects.RequireBpf();
        var table = KernelSymbolTable.Load();
        Assert.False(table.AddressesHidden, "/proc/kallsyms shows no addresses (kptr_restrict) although the tests run as root");
        Assert.True(table.Count > 10_000, $"only {table.Count} kernel symbols");
        // Text symbols that exist on every x86-64 and arm64 kernel of this decade.
        foreach (var name in new[] { "do_sys_openat2", "schedule", "vfs_read" })
        {
            var symbol = table.Find(name) ?? throw new Xunit.Sdk.XunitException($"{name} missing from /proc/kallsyms");
            Assert.True(table.TryResolve(symbol.Address + 1, out var resolved));
            Assert.Equal(symbol.Address, resolved.Symbol.Address);
            Assert.Equal(1ul, resolved.Offset);
        }
        // Cross-check a sample against the file's own lines (the parser must not shift names against addresses).
        var lines = File.ReadLines(KernelSymbolTable.KallsymsPath).Where((_, i) => i % 997 == 0).Take(50);
        foreach (var line in lines)
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var address = ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.True(table.TryResolve(address, out var resolved), line);
            Assert.Equal(address, resolved.Symbol.Address);
            Assert.Equal(0ul, resolved.Offset);
        }
    }

    [Theory]
    [InlineData("pie", "-fPIE -pie")]
    [InlineData("nopie", "-fno-pie -no-pie")]
    public void UserAddressesResolveThroughMapsAndElf(string variant, string flags)
    {
        var binary = ToolTestKit.BuildC("symbols_target.c", "symbols_target_" + variant, flags.Split(' '));
        using var process = Process.Start(new ProcessStartInfo(binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            var printed = new List<(ulong Address, string Name)>();
            for (var i = 0; i < 4; i++)
            {
                var parts = process.StandardOutput.ReadLine()!.Split(' ');
                printed.Add((Convert.ToUInt64(parts[0], 16), parts[1]));
            }
            var files = new SymbolFileCache();
            var symbols = ProcessSymbols.Load(process.Id, files);
            Assert.Contains(symbols.Mappings, m => m.Path == binary);
            foreach (var (address, name) in printed)
            {
                // A fixed-address executable takes a libc function's address through its own PLT entry.
                if (name == "getppid" && variant == "nopie") continue;
                Assert.True(symbols.TryResolve(address, out var resolved), $"{name} at 0x{address:x}: no mapping");
                Assert.True(resolved.Name == name || resolved.Name!.EndsWith("getppid", StringComparison.Ordinal),
                    $"0x{address:x} resolved to {resolved} in {resolved.File}, expected {name}");
                Assert.Equal(0ul, resolved.Offset);
                Assert.Equal($"{resolved.Name}+0x4", symbols.Format(address + 4));
            }
            var beforeCache = files.Count;
            ProcessSymbols.Load(process.Id, files).TryResolve(printed[0].Address, out _);
            Assert.Equal(beforeCache, files.Count); // the same files are not read again
            Assert.False(symbols.TryResolve(0x10, out _));
        }
        finally
        {
            process.StandardInput.Close();
            process.WaitForExit(10_000);
            if (!process.HasExited) process.Kill();
        }
    }

    [Fact]
    public void MapsLinesParse()
    {
        var maps = MemoryMapping.ParseMaps("""
            55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1234                       /usr/bin/my tool
            55d0c0a21000-55d0c0a90000 r-xp 00021000 08:01 1234                       /usr/bin/my tool
            7ffd3c1f0000-7ffd3c211000 rw-p 00000000 00:00 0                          [stack]
            """);
        Assert.Equal(3, maps.Count);
        Assert.Equal(new MemoryMapping(0x55d0c0a21000, 0x55d0c0a90000, "r-xp", 0x21000, "08:01", 1234, "/usr/bin/my tool"), maps[1]);
        Assert.True(maps[1].IsExecutable && maps[1].IsFileBacked);
        Assert.False(maps[2].IsFileBacked);
        var error = Assert.Throws<FormatException>(() => MemoryMapping.ParseMaps("zz-1 r-xp 0 08:01 1 /x", "m"));
        Assert.StartsWith("m: line 1:", error.Message);
    }

    [Fact]
    public void TruncatedElfIsAFormatErrorNamingTheOffset()
    {
        var elf = File.ReadAllBytes("/bin/true");
        var error = Assert.Throws<BpfFormatException>(() => ElfSymbolTable.Parse(elf.AsSpan(0, 4096)));
        Assert.Contains("runs past the end", error.Message);
        Assert.Throws<BpfFormatException>(() => ElfSymbolTable.Parse("not an elf file at all, not at all, no......................................"u8));
    }
}
