using System.Diagnostics;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Infrastructure;
using BpfSharp.Tests.Linux;
using BpfSharp.Tests.Loading;

namespace BpfSharp.Tests.Runtime;

// struct_ops: the struct_ops map (BPF_MAP_CREATE) and its programs (BPF_PROG_LOAD: attach_btf_id = the kernel's ops
// struct, expected_attach_type = the member's index) as bpftool 7.1 (libbpf 1.1) and `bpfsharp prog loadall` ask
// for them, under strace. This kernel accepts both; StructOpsTests registers and uses the result for real.
public sealed partial class RefusedTracingParityTests
{
    private static readonly string[] ComparedMapFields =
    [
        "map_type", "key_size", "value_size", "max_entries", "map_flags", "map_name", "btf_key_type_id", "btf_value_type_id",
        "btf_vmlinux_value_type_id", "map_extra",
    ];

    [Fact]
    public void StructOpsMapAndProgramRequestsMatchLibbpf()
    {
        KernelObjects.RequireBpf();
        var obj = LoaderObjects.Compile(Path.Combine(TestPaths.TestData, "runtime", "struct_ops", "cc.c"), mustCompile: true)!;
        var theirTrace = Traced("bpftool", ["prog", "loadall", obj, PinDir("bpftool")]);
        var ourTrace = Traced("dotnet", [Path.Combine(AppContext.BaseDirectory, "bpfsharp.dll"), "prog", "loadall", obj, PinDir("ours")]);

        var theirs = MapCreate(theirTrace, "bpfsharp_cc");
        var ours = MapCreate(ourTrace, "bpfsharp_cc");
        Assert.Equal("BPF_MAP_TYPE_STRUCT_OPS", theirs["map_type"]);
        Assert.NotEqual("0", theirs["btf_vmlinux_value_type_id"]);
        foreach (var field in ComparedMapFields)
            Assert.True(theirs.GetValueOrDefault(field) == ours.GetValueOrDefault(field),
                $"BPF_MAP_CREATE {field}: libbpf {theirs.GetValueOrDefault(field)}, ours {ours.GetValueOrDefault(field)}");
        output.WriteLine($"struct_ops BPF_MAP_CREATE {string.Join(", ", ComparedMapFields.Select(f => $"{f}={ours.GetValueOrDefault(f)}"))} with both loaders");

        // The kernel's program names are 15 bytes.
        foreach (var program in new[] { "bpfsharp_ssthre", "bpfsharp_cong_a", "bpfsharp_undo_c" })
        {
            var theirLoad = FirstLoad(theirTrace, program);
            var ourLoad = FirstLoad(ourTrace, program);
            Assert.Equal("BPF_PROG_TYPE_STRUCT_OPS", theirLoad.Fields["prog_type"]);
            Assert.NotEqual("0", theirLoad.Fields["attach_btf_id"]);
            foreach (var field in Compared)
                Assert.True(theirLoad.Fields.GetValueOrDefault(field) == ourLoad.Fields.GetValueOrDefault(field),
                    $"{program} {field}: libbpf {theirLoad.Fields.GetValueOrDefault(field)}, ours {ourLoad.Fields.GetValueOrDefault(field)}");
            // A new fd's number differs by process; an error must be the same.
            Assert.Equal(FdOrError(theirLoad.Result), FdOrError(ourLoad.Result));
            output.WriteLine($"{program}: BPF_PROG_LOAD expected_attach_type={ourLoad.Fields["expected_attach_type"]} (the member's index), attach_btf_id={ourLoad.Fields["attach_btf_id"]} = {ourLoad.Result} with both loaders");
        }
    }

    private static string FdOrError(string result) => char.IsAsciiDigit(result[0]) ? "a new fd" : result;

    private static Dictionary<string, string> MapCreate(string[] trace, string name)
    {
        foreach (var line in trace)
        {
            var m = MapCreateLine().Match(line);
            if (!m.Success) continue;
            var fields = Field().Matches(m.Groups["attrs"].Value).ToDictionary(f => f.Groups["key"].Value, f => f.Groups["value"].Value.Trim());
            if (fields.GetValueOrDefault("map_name") == $"\"{name}\"") return fields;
        }
        Assert.Fail($"no BPF_MAP_CREATE of '{name}' in the trace:\n{string.Join('\n', trace.Where(l => l.Contains("MAP_CREATE", StringComparison.Ordinal)))}");
        throw new UnreachableException();
    }

    [GeneratedRegex(@"bpf\(BPF_MAP_CREATE, \{(?<attrs>.*)\}, \d+\) = (?<result>.*)$")]
    private static partial Regex MapCreateLine();
}
