using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using BpfSharp.Kernel;

namespace BpfSharp.Tests.KernelApi;

/// <summary>
/// The compiler inlines every non-stub method of the library from its IL, and accepts only a small set of
/// constructs (no exceptions, allocation, virtual calls, floating point, strings or loops). These tests decode the
/// IL of each such body and check it stays inside that set.
/// </summary>
public class CompilableBodyTests
{
    private static readonly Dictionary<short, OpCode> OpCodeTable = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private static readonly HashSet<string> ForbiddenOpcodes =
    [
        "throw", "rethrow", "newobj", "newarr", "box", "unbox", "unbox.any", "callvirt", "calli", "ldftn", "ldvirtftn",
        "ldstr", "ldc.r4", "ldc.r8", "conv.r4", "conv.r8", "conv.r.un", "ldind.r4", "ldind.r8", "stind.r4", "stind.r8",
        "ldsfld", "stsfld", "ldsflda", "localloc", "leave", "leave.s", "endfinally", "castclass", "isinst", "mkrefany",
        "ldelem", "ldelema", "stelem", "ldlen", "ckfinite", "switch",
    ];

    private static readonly HashSet<string> AllowedUnsafe = [nameof(Unsafe.AsPointer), nameof(Unsafe.AsRef), nameof(Unsafe.SizeOf)];

    /// <summary>Span members the compiler translates itself (Translator.Spans), by declaring type and name.</summary>
    private static readonly HashSet<string> AllowedSpanMembers =
        ["Span`1.get_Length", "ReadOnlySpan`1.get_Length", "MemoryMarshal.GetReference"];

    /// <summary>Every method the compiler compiles from IL: neither a helper stub nor printk, nor a constructor.</summary>
    public static IEnumerable<MethodInfo> CompiledBodies() =>
        KernelApiKit.KernelAssembly.GetTypes()
            .Where(t => t == typeof(Bpf) || t.IsSubclassOf(typeof(KernelMap)) || ContextLayoutTests.ContextTypes.Contains(t))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<BpfHelperAttribute>() is null && m.GetCustomAttribute<BpfPrintkAttribute>() is null);

    public static TheoryData<string> CompiledBodyNames()
    {
        var data = new TheoryData<string>();
        foreach (var m in CompiledBodies()) data.Add(Describe(m));
        return data;
    }

    private static string Describe(MethodInfo m) =>
        $"{m.DeclaringType!.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";

    [Fact]
    public void ThereAreBodiesToCheck()
    {
        var names = CompiledBodies().Select(Describe).ToList();
        Assert.True(names.Count >= 30, $"only {names.Count} bodies");
        Assert.Contains(names, n => n.StartsWith("IndexedMap`1.Lookup", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("Bpf.get_CurrentTgid", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CompiledBodyNames))]
    public void BodyUsesOnlyConstructsTheCompilerAccepts(string description)
    {
        var method = CompiledBodies().Single(m => Describe(m) == description);
        var problems = Problems(method);
        Assert.True(problems.Count == 0, description + ":\n" + string.Join("\n", problems));
    }

    /// <summary>What in the method's IL the compiler would not accept.</summary>
    private static List<string> Problems(MethodInfo method)
    {
        var problems = new List<string>();
        var body = method.GetMethodBody();
        if (body is null) return ["no IL body"];
        if (body.ExceptionHandlingClauses.Count > 0) problems.Add("exception handling");
        foreach (var l in body.LocalVariables)
            if (!(l.LocalType.IsValueType || l.LocalType.IsPointer || l.LocalType.IsByRef)) problems.Add($"local of reference type {l.LocalType}");
        byte[] il = body.GetILAsByteArray()!;
        for (int pc = 0; pc < il.Length;)
        {
            int start = pc;
            short value = il[pc] == 0xFE ? (short)(0xFE00 | il[pc + 1]) : il[pc];
            pc += il[pc] == 0xFE ? 2 : 1;
            var op = OpCodeTable[value];
            int operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pc),
                _ => 4,
            };
            if (ForbiddenOpcodes.Contains(op.Name!)) problems.Add($"IL_{start:x4}: {op.Name}");
            if (op.OperandType == OperandType.ShortInlineBrTarget && (sbyte)il[pc] < 0
                || op.OperandType == OperandType.InlineBrTarget && BitConverter.ToInt32(il, pc) < 0)
                problems.Add($"IL_{start:x4}: backward branch (a loop)");
            if (op == OpCodes.Call)
            {
                var target = method.Module.ResolveMethod(BitConverter.ToInt32(il, pc),
                    method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null,
                    method.IsGenericMethod ? method.GetGenericArguments() : null)!;
                bool ok = target.DeclaringType!.Assembly == KernelApiKit.KernelAssembly && !target.IsVirtual
                    || target.DeclaringType == typeof(Unsafe) && AllowedUnsafe.Contains(target.Name)
                    || AllowedSpanMembers.Contains(target.DeclaringType.Name + "." + target.Name);
                if (!ok) problems.Add($"IL_{start:x4}: call {target.DeclaringType.Name}.{target.Name}");
            }
            pc += operand;
        }
        return problems;
    }

    [Fact]
    public void TheCheckerRejectsForbiddenBodies()
    {
        static MethodInfo Own(string name) => typeof(CompilableBodyTests).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;
        var allocates = Problems(Own(nameof(Allocates)));
        Assert.Contains(allocates, p => p.EndsWith(": newobj", StringComparison.Ordinal));
        Assert.Contains(allocates, p => p.EndsWith(": throw", StringComparison.Ordinal));
        Assert.Contains(Problems(Own(nameof(Loops))), p => p.Contains("backward branch", StringComparison.Ordinal));
        Assert.Contains(Problems(Own(nameof(CallsOutside))), p => p.Contains("call Math.Max", StringComparison.Ordinal));
        Assert.Contains(Problems(Own(nameof(UsesFloatingPoint))), p => p.EndsWith(": conv.r8", StringComparison.Ordinal));
        Assert.Empty(Problems(typeof(ArrayMap<ulong>).GetMethod("Lookup")!));
    }

    private static object Allocates(int x) => x > 0 ? new object() : throw new InvalidOperationException();

    private static int Loops(int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++) sum += i;
        return sum;
    }

    private static int CallsOutside(int a, int b) => Math.Max(a, b);

    private static double UsesFloatingPoint(int a) => a;
}
