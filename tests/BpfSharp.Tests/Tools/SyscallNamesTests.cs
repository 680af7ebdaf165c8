using System.Text.RegularExpressions;
using BpfSharp.Linux.Tools;
using BpfSharp.Tests.Infrastructure;

namespace BpfSharp.Tests.Tools;

/// <summary>
/// The generated syscall tables: x86-64 checked entry by entry against the installed asm/unistd_64.h, arm64 against
/// numbers of its generic table, and the committed file against a fresh run of scripts/gen-syscall-names.sh.
/// </summary>
public sealed partial class SyscallNamesTests
{
    private const string X86Header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";

    [Fact]
    public void X86TableMatchesTheKernelHeader()
    {
        Assert.True(File.Exists(X86Header), $"{X86Header} is missing: install linux-libc-dev (scripts/install-deps.sh)");
        var defines = Define().Matches(File.ReadAllText(X86Header)).Select(m => (Name: m.Groups[1].Value, Number: int.Parse(m.Groups[2].Value))).ToList();
        Assert.True(defines.Count > 300, $"only {defines.Count} syscalls in {X86Header}");
        foreach (var (name, number) in defines)
        {
            Assert.Equal(name, SyscallNames.Name(number, SyscallArchitecture.X86_64));
            Assert.Equal(number, SyscallNames.Number(name, SyscallArchitecture.X86_64));
        }
        Assert.Equal(defines.Max(d => d.Number) + 1, SyscallNames.Count(SyscallArchitecture.X86_64));
        Assert.Null(SyscallNames.Name(-1, SyscallArchitecture.X86_64));
        Assert.Equal("[unknown: 100000]", SyscallNames.NameOrNumber(100000, SyscallArchitecture.X86_64));
    }

    [Theory]
    [InlineData("io_setup", 0)]
    [InlineData("read", 63)]
    [InlineData("write", 64)]
    [InlineData("openat", 56)]
    [InlineData("exit", 93)]
    [InlineData("exit_group", 94)]
    [InlineData("execve", 221)]
    [InlineData("clone3", 435)]
    [InlineData("fstat", 80)]
    [InlineData("renameat", 38)]
    public void Arm64UsesTheGenericNumbers(string name, int number)
    {
        Assert.Equal(name, SyscallNames.Name(number, SyscallArchitecture.Arm64));
        Assert.Equal(number, SyscallNames.Number(name, SyscallArchitecture.Arm64));
        Assert.Equal(-1, SyscallNames.Number("open", SyscallArchitecture.Arm64)); // arm64 never had open(2)
    }

    [Fact]
    public void CommittedTableIsWhatTheGeneratorWrites()
    {
        var fresh = ExternalTool.RunText("bash", Path.Combine(TestPaths.RepoRoot, "scripts", "gen-syscall-names.sh"), "-");
        var committed = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", "BpfSharp.Linux", "Tools", "SyscallNames.g.cs"));
        Assert.Equal(committed, fresh);
    }

    [GeneratedRegex(@"^#define __NR_(\w+)\s+(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Define();
}
