using System.Reflection;
using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Kernel;

namespace BpfSharp.Tests.KernelApi;

public partial class HelperStubTests
{
    // The helpers tracing and networking tools use most; each must have a stub.
    private static readonly string[] Required =
    [
        "map_lookup_elem", "map_update_elem", "map_delete_elem", "probe_read", "probe_read_kernel", "probe_read_user",
        "probe_read_kernel_str", "probe_read_user_str", "probe_read_str", "ktime_get_ns", "ktime_get_boot_ns",
        "trace_printk", "get_prandom_u32", "get_smp_processor_id", "tail_call", "get_current_pid_tgid",
        "get_current_uid_gid", "get_current_comm", "get_current_task", "get_current_task_btf", "get_stackid",
        "get_stack", "perf_event_output", "skb_load_bytes", "skb_store_bytes", "l3_csum_replace", "l4_csum_replace",
        "redirect", "redirect_map", "xdp_adjust_head", "xdp_adjust_tail", "clone_redirect", "get_socket_cookie",
        "ringbuf_output", "ringbuf_reserve", "ringbuf_submit", "ringbuf_discard", "ringbuf_query", "send_signal",
        "get_current_cgroup_id", "jiffies64", "loop", "snprintf", "get_ns_current_pid_tgid", "get_func_ip",
        "get_attach_cookie", "ktime_get_tai_ns", "for_each_map_elem", "map_lookup_percpu_elem", "fib_lookup",
    ];

    private static Dictionary<string, (string CName, long Id)> KernelHelpersByDotNetName(BtfSpec spec)
    {
        var byName = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var (name, value) in KernelApiKit.NamedEnum(spec, "bpf_func_id"))
        {
            if (!name.StartsWith("BPF_FUNC_", StringComparison.Ordinal) || name == "BPF_FUNC_unspec") continue;
            string cName = name["BPF_FUNC_".Length..];
            // The naming rule must be unambiguous over the kernel's whole helper list.
            Assert.True(byName.TryAdd(KernelApiKit.PascalCase(cName), (cName, value)), $"two helpers map to {KernelApiKit.PascalCase(cName)}");
        }
        return byName;
    }

    [Fact]
    public void EveryHelperIdIsTheRunningKernelsBpfFuncIdOfTheHelperItIsNamedAfter()
    {
        var kernel = KernelHelpersByDotNetName(KernelApiKit.Vmlinux);
        Assert.True(kernel.Count > 200, $"bpf_func_id has only {kernel.Count} helpers");
        var stubs = KernelApiKit.HelperStubs().ToList();
        Assert.True(stubs.Count >= 150, $"only {stubs.Count} helper stubs");
        var wrong = new List<string>();
        foreach (var (method, id) in stubs)
        {
            if (!kernel.TryGetValue(method.Name, out var k)) wrong.Add($"{method.Name}: no BPF_FUNC_ helper has this name");
            else if (k.Id != id) wrong.Add($"{method.Name}: [BpfHelper({id})] but BPF_FUNC_{k.CName} = {k.Id}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void TheCommonHelpersAllHaveStubs()
    {
        var names = KernelApiKit.HelperStubs().Select(s => s.Method.Name).ToHashSet();
        var missing = Required.Where(c => !names.Contains(KernelApiKit.PascalCase(c))).ToList();
        Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing));
    }

    [Fact]
    public void HelperNamingRuleMatchesTheDocumentedExamples()
    {
        Assert.Equal("GetCurrentPidTgid", KernelApiKit.PascalCase("get_current_pid_tgid"));
        Assert.Equal("L3CsumReplace", KernelApiKit.PascalCase("l3_csum_replace"));
        Assert.Equal("Jiffies64", KernelApiKit.PascalCase("jiffies64"));
        Assert.Equal("SkcToTcp6Sock", KernelApiKit.PascalCase("skc_to_tcp6_sock"));
    }

    [GeneratedRegex(@"^static (?<ret>.+?)\(\*bpf_(?<name>\w+)\)\((?<params>.*)\) = \(void \*\) (?<id>\d+);$")]
    private static partial Regex HelperDefinition();

    private const string LibbpfHelperDefs = "/usr/include/bpf/bpf_helper_defs.h";

    // libbpf generates this header from the kernel's helper documentation; its return type for bpf_task_pt_regs
    // is `long`, while the kernel returns a BTF pointer to struct pt_regs, which is what the stub declares.
    private static readonly HashSet<string> ReturnsPointerUnlikeLibbpf = ["task_pt_regs"];

    [Fact]
    public void StubSignaturesHaveTheShapeOfLibbpfsPrototypes()
    {
        Assert.True(File.Exists(LibbpfHelperDefs), $"{LibbpfHelperDefs} is missing: install libbpf-dev");
        var prototypes = new Dictionary<string, (string Ret, string[] Params, int Id)>();
        foreach (var line in File.ReadLines(LibbpfHelperDefs))
        {
            var m = HelperDefinition().Match(line);
            if (!m.Success) continue;
            string p = m.Groups["params"].Value.Trim();
            string[] ps = p == "void" ? [] : p.Split(',', StringSplitOptions.TrimEntries);
            prototypes[KernelApiKit.PascalCase(m.Groups["name"].Value)] = (m.Groups["ret"].Value.Trim(), ps, int.Parse(m.Groups["id"].Value));
        }
        Assert.True(prototypes.Count > 200, $"parsed only {prototypes.Count} prototypes from {LibbpfHelperDefs}");

        var wrong = new List<string>();
        int compared = 0;
        foreach (var (method, id) in KernelApiKit.HelperStubs())
        {
            if (!prototypes.TryGetValue(method.Name, out var proto)) continue; // newer than libbpf 1.1's header
            compared++;
            if (proto.Id != id) wrong.Add($"{method.Name}: id {id}, libbpf {proto.Id}");
            var ps = method.GetParameters();
            bool varargs = proto.Params.Length > 0 && proto.Params[^1] == "...";
            var fixedParams = varargs ? proto.Params[..^1] : proto.Params;
            if (varargs ? ps.Length < fixedParams.Length : ps.Length != fixedParams.Length)
            {
                wrong.Add($"{method}: {ps.Length} parameters, libbpf ({string.Join(", ", proto.Params)})");
                continue;
            }
            for (int i = 0; i < fixedParams.Length; i++)
            {
                string c = CShape(fixedParams[i]), cs = DotNetShape(ps[i].ParameterType);
                if (c != cs) wrong.Add($"{method.Name} parameter {ps[i].Name}: {cs}, libbpf '{fixedParams[i]}' ({c})");
            }
            string cr = CShape(proto.Ret), csr = DotNetShape(method.ReturnType);
            if (ReturnsPointerUnlikeLibbpf.Any(n => KernelApiKit.PascalCase(n) == method.Name)) cr = "pointer";
            if (cr != csr) wrong.Add($"{method.Name} returns {csr}, libbpf '{proto.Ret}' ({cr})");
        }
        Assert.True(compared > 150, $"compared only {compared} stubs");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    // "pointer", "void", or the integer size in bytes.
    private static string CShape(string c)
    {
        if (c.Contains('*')) return "pointer";
        string type = Regex.Replace(c, @"\s+\w+$", "").Replace("const ", "").Trim(); // drop the parameter name
        if (c == "void" || type == "void") return "void";
        return type switch
        {
            "__u64" or "__s64" or "long" or "unsigned long" or "u64" => "8",
            "__u32" or "__s32" or "int" or "__be32" or "__wsum" or "unsigned int" => "4",
            "__u16" or "__be16" => "2",
            "__u8" => "1",
            _ => "unknown C type '" + c + "'",
        };
    }

    private static string DotNetShape(Type t)
    {
        if (t == typeof(void)) return "void";
        if (t.IsPointer || t.IsFunctionPointer || typeof(KernelMap).IsAssignableFrom(t)) return "pointer";
        if (t.IsPrimitive) return System.Runtime.InteropServices.Marshal.SizeOf(t).ToString();
        return "unexpected .NET type " + t;
    }

    [Fact]
    public void StubsPassAtMostFiveRegisterSizedArguments()
    {
        foreach (var (method, _) in KernelApiKit.HelperStubs())
        {
            Assert.True(method.GetParameters().Length <= 5, $"{method}: more than r1-r5");
            foreach (var p in method.GetParameters())
                Assert.DoesNotContain("unexpected", DotNetShape(p.ParameterType));
            Assert.DoesNotContain("unexpected", DotNetShape(method.ReturnType));
            Assert.False(method.IsGenericMethod, $"{method}: a helper stub cannot be generic");
        }
    }

    [Fact]
    public void EveryStubThrowsBpfOnlyExceptionOnDotNet()
    {
        var printk = typeof(Bpf).GetMethods().Where(m => m.GetCustomAttribute<BpfPrintkAttribute>() is not null);
        var all = KernelApiKit.HelperStubs().Select(s => s.Method).Concat(printk).ToList();
        foreach (var method in all)
        {
            var args = method.GetParameters().Select(p => DefaultArgument(p.ParameterType)).ToArray();
            var ex = Record.Exception(() => method.Invoke(null, args));
            Assert.True(ex is TargetInvocationException { InnerException: BpfOnlyException }, $"{method}: {ex}");
        }
    }

    private static object? DefaultArgument(Type t) =>
        t == typeof(string) ? "x" : t.IsFunctionPointer ? IntPtr.Zero : t.IsPointer || !t.IsValueType ? null : Activator.CreateInstance(t);

    [Fact]
    public void PrintkOverloadsAreLiteralPlusUpToThreeU64Arguments()
    {
        var printk = typeof(Bpf).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == "Printk").ToList();
        Assert.Equal([0, 1, 2, 3], printk.Select(m => m.GetParameters().Length - 1).Order());
        foreach (var m in printk)
        {
            Assert.NotNull(m.GetCustomAttribute<BpfPrintkAttribute>());
            Assert.Null(m.GetCustomAttribute<BpfHelperAttribute>());
            var ps = m.GetParameters();
            Assert.Equal(typeof(string), ps[0].ParameterType);
            Assert.All(ps.Skip(1), p => Assert.Equal(typeof(ulong), p.ParameterType));
            Assert.Equal(typeof(long), m.ReturnType);
        }
        // Nothing else carries the printk marker.
        var marked = KernelApiKit.KernelAssembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<BpfPrintkAttribute>() is not null);
        Assert.Equal(4, marked.Count());
    }
}
