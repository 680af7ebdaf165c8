using System.Reflection;
using System.Reflection.Metadata;
using System.Text;

namespace BpfSharp.Compiler.Frontend;

/// <summary>A function pointer member of a struct_ops variable and the program that fills it.</summary>
internal sealed record StructOpsFunction(string Member, string Program, CType ReturnType);

/// <summary>A data member: its value's bytes; <see cref="Type"/> is the integer type, or null for a char array.</summary>
internal sealed record StructOpsData(string Member, CType? Type, byte[] Bytes);

/// <summary>
/// One <c>[StructOps]</c> class: a variable of <see cref="TypeName"/> in <c>.struct_ops</c> or <c>.struct_ops.link</c>,
/// laid out as clang lays out the C struct with the function pointer members first, then the data members.
/// </summary>
internal sealed class StructOpsVariable
{
    public required string Name { get; init; }
    public required string TypeName { get; init; }
    public required bool Link { get; init; }
    public required List<StructOpsFunction> Functions { get; init; }
    public required List<StructOpsData> Data { get; init; }

    public string Section => Link ? BpfSharp.Objects.ObjectSpec.StructOpsLinkSection : BpfSharp.Objects.ObjectSpec.StructOpsSection;

    /// <summary>Each member's byte offset (functions, then data, C alignment) and the struct's size.</summary>
    public (int[] FunctionOffsets, int[] DataOffsets, int Size) Layout()
    {
        var functions = Functions.Select((_, i) => i * 8).ToArray();
        var at = Functions.Count * 8;
        var align = Functions.Count > 0 ? 8 : 1;
        var data = new int[Data.Count];
        for (var i = 0; i < Data.Count; i++)
        {
            var a = Data[i].Type is null ? 1 : Data[i].Bytes.Length;
            at = (at + a - 1) / a * a;
            data[i] = at;
            at += Data[i].Bytes.Length;
            align = Math.Max(align, a);
        }

        return (functions, data, (at + align - 1) / align * align);
    }
}

/// <summary>Finds the <c>[StructOps]</c> classes of the assembly and checks them (BPFS2005).</summary>
internal static class StructOpsDefinitions
{
    public static List<StructOpsVariable> Find(TypeSystem ts, LoadedModule module, IReadOnlyList<ProgramEntry> entries, List<CompilerDiagnostic> diagnostics)
    {
        var reader = module.Reader;
        var result = new List<StructOpsVariable>();
        foreach (var th in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(th);
            var typeName = reader.GetString(type.Name);
            var ops = ts.FindAttributes(module, type.GetCustomAttributes(), "StructOpsAttribute").Select(a => (CustomAttributeValue<string>?)a).FirstOrDefault();
            void Error(string message, string member) => diagnostics.Add(new CompilerDiagnostic(DiagnosticIds.StructOps, true, message,
                new SourceLocation(module.Path, 0, 0, typeName + "." + member, -1)));

            if (ops is null)
            {
                foreach (var mh in type.GetMethods())
                {
                    var def = reader.GetMethodDefinition(mh);
                    if (ts.FindAttributes(module, def.GetCustomAttributes(), "StructOpsMethodAttribute").Any())
                    {
                        Error($"'{typeName}.{reader.GetString(def.Name)}' is a [StructOpsMethod] in a class without [StructOps(\"type\")]: " +
                              "the class is the struct_ops variable that points at the program", reader.GetString(def.Name));
                    }
                }

                continue;
            }

            var structName = ops.Value.FixedArguments[0].Value as string ?? "";
            var link = ops.Value.NamedArguments.Any(n => n.Name == "Link" && n.Value is true);
            var name = ts.FindAttributes(module, type.GetCustomAttributes(), "BtfNameAttribute").Select(a => a.FixedArguments[0].Value as string).FirstOrDefault()
                       ?? Output.BtfTypeMapper.Identifier(typeName);
            if (structName.Length == 0)
            {
                Error("[StructOps] needs the kernel struct's name, e.g. [StructOps(\"tcp_congestion_ops\")]", "");
                continue;
            }

            var members = new HashSet<string>();
            var functions = new List<StructOpsFunction>();
            var complete = true;
            foreach (var mh in type.GetMethods())
            {
                var def = reader.GetMethodDefinition(mh);
                foreach (var a in ts.FindAttributes(module, def.GetCustomAttributes(), "StructOpsMethodAttribute"))
                {
                    var member = a.FixedArguments[0].Value as string ?? "";
                    var methodName = reader.GetString(def.Name);
                    if (!members.Add(member))
                    {
                        Error($"struct_ops '{name}': member '{member}' is set twice (by '{methodName}' and another)", methodName);
                        continue;
                    }

                    var entry = entries.FirstOrDefault(e => e.Method.Module == module && e.Method.Handle == mh);
                    if (entry is null)
                    {
                        if ((def.Attributes & MethodAttributes.Static) == 0)
                            Error($"struct_ops '{name}': [StructOpsMethod(\"{member}\")] '{methodName}' must be static (a BPF program)", methodName);
                        complete = false; // or left out by the program filter: the variable goes with its programs
                        continue;
                    }

                    functions.Add(new StructOpsFunction(member, entry.Method.Name, entry.Method.Signature.ReturnType));
                }
            }

            var data = new List<StructOpsData>();
            foreach (var fh in type.GetFields())
            {
                var field = reader.GetFieldDefinition(fh);
                var fieldName = reader.GetString(field.Name);
                foreach (var a in ts.FindAttributes(module, field.GetCustomAttributes(), "StructOpsMemberAttribute"))
                {
                    var member = a.FixedArguments[0].Value as string ?? "";
                    var length = a.NamedArguments.Where(n => n.Name == "Length").Select(n => n.Value as int? ?? 0).FirstOrDefault();
                    if (!members.Add(member))
                    {
                        Error($"struct_ops '{name}': member '{member}' is set twice (by '{fieldName}' and another)", fieldName);
                        continue;
                    }

                    if ((field.Attributes & FieldAttributes.Literal) == 0 || field.GetDefaultValue().IsNil)
                    {
                        Error($"struct_ops '{name}': [StructOpsMember(\"{member}\")] '{fieldName}' must be a const field (its value is the member's initial value)", fieldName);
                        continue;
                    }

                    var value = Constant(ts, reader, reader.GetConstant(field.GetDefaultValue()), length, out var problem);
                    if (value is null)
                    {
                        Error($"struct_ops '{name}': member '{member}' ('{fieldName}'): {problem}", fieldName);
                        continue;
                    }

                    data.Add(value with { Member = member });
                }
            }

            if (complete && functions.Count + data.Count > 0)
            {
                result.Add(new StructOpsVariable { Name = name, TypeName = structName, Link = link, Functions = functions, Data = data });
            }
        }

        return result;
    }

    /// <summary>A const field's value as member bytes: integers little-endian in their own size, strings zero-padded.</summary>
    private static StructOpsData? Constant(TypeSystem ts, MetadataReader reader, Constant constant, int length, out string problem)
    {
        problem = "";
        var blob = reader.GetBlobReader(constant.Value);
        if (constant.TypeCode == ConstantTypeCode.String)
        {
            var text = blob.Length == 0 ? "" : blob.ReadUTF16(blob.Length);
            var utf8 = Encoding.UTF8.GetBytes(text);
            var size = length == 0 ? utf8.Length + 1 : length;
            if (utf8.Length > size || length < 0)
            {
                problem = $"\"{text}\" is {utf8.Length} bytes, longer than Length = {length}";
                return null;
            }

            var bytes = new byte[size];
            utf8.CopyTo(bytes, 0);
            return new StructOpsData("", null, bytes);
        }

        CTypeKind? kind = constant.TypeCode switch
        {
            ConstantTypeCode.Boolean => CTypeKind.Bool,
            ConstantTypeCode.SByte => CTypeKind.SByte,
            ConstantTypeCode.Byte => CTypeKind.Byte,
            ConstantTypeCode.Char => CTypeKind.UInt16,
            ConstantTypeCode.Int16 => CTypeKind.Int16,
            ConstantTypeCode.UInt16 => CTypeKind.UInt16,
            ConstantTypeCode.Int32 => CTypeKind.Int32,
            ConstantTypeCode.UInt32 => CTypeKind.UInt32,
            ConstantTypeCode.Int64 => CTypeKind.Int64,
            ConstantTypeCode.UInt64 => CTypeKind.UInt64,
            _ => null,
        };
        if (kind is null || length != 0)
        {
            problem = kind is null
                ? $"a {constant.TypeCode} constant has no struct member form (use an integer, bool, enum or string)"
                : "Length applies to string members only";
            return null;
        }

        // The blob holds the value little-endian in the constant's own size, as the member wants it.
        return new StructOpsData("", ts.Primitive(kind.Value), blob.ReadBytes(blob.Length));
    }
}
