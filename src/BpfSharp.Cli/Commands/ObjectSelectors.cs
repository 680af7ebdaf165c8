using System.Globalization;
using BpfSharp.Linux;
using BpfSharp.Linux.Inspection;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// Parses bpftool's object handles from the words of a command line and opens the objects:
/// <c>PROG := { id ID | pinned FILE | tag TAG | name NAME }</c>, <c>MAP := { id ID | pinned FILE | name NAME }</c>,
/// <c>LINK := { id ID | pinned FILE }</c>. Name and tag may match several objects; every fd returned belongs to
/// the caller.
/// </summary>
internal static class ObjectSelectors
{
    /// <summary>Opens every program <paramref name="words"/>[<paramref name="at"/>..] names and moves past the handle.</summary>
    public static List<BpfFileDescriptor> Programs(IReadOnlyList<string> words, ref int at) =>
        Parse(words, ref at, BpfObjectKind.Program);

    /// <summary>Opens exactly one program (bpftool's <c>prog_parse_fd</c>).</summary>
    public static BpfFileDescriptor Program(IReadOnlyList<string> words, ref int at) =>
        Single(Programs(words, ref at), "programs");

    /// <summary>Opens every map the handle names.</summary>
    public static List<BpfFileDescriptor> Maps(IReadOnlyList<string> words, ref int at) =>
        Parse(words, ref at, BpfObjectKind.Map);

    /// <summary>Opens exactly one map (bpftool's <c>map_parse_fd</c>).</summary>
    public static BpfFileDescriptor Map(IReadOnlyList<string> words, ref int at) =>
        Single(Maps(words, ref at), "maps");

    /// <summary>Opens the link the handle names.</summary>
    public static BpfFileDescriptor Link(IReadOnlyList<string> words, ref int at)
    {
        if (at >= words.Count) throw CliException.Usage("expected 'id' or 'pinned', got nothing");
        var word = words[at];
        if (BpftoolGrammar.IsPrefix(word, "id"))
        {
            var id = Id(words, at + 1);
            at += 2;
            try
            {
                return BpfObjectLookup.OpenById(BpfObjectKind.Link, (int)id);
            }
            catch (BpfSyscallException e)
            {
                throw CliException.Kernel($"failed to get link with ID {(int)id}: {e.ErrnoName}");
            }
        }
        if (BpftoolGrammar.IsPrefix(word, "pinned"))
        {
            var path = Argument(words, at + 1, "pinned");
            at += 2;
            return OpenPinned(path, BpfObjectKind.Link);
        }
        throw CliException.Usage($"expected 'id' or 'pinned', got: '{word}'?");
    }

    private static List<BpfFileDescriptor> Parse(IReadOnlyList<string> words, ref int at, BpfObjectKind kind)
    {
        var what = kind == BpfObjectKind.Program ? "prog" : "map";
        if (at >= words.Count)
            throw new CliException(kind == BpfObjectKind.Program ? "expected 'id', 'tag', 'name' or 'pinned', got nothing"
                : "expected 'id', 'name' or 'pinned', got nothing");
        var word = words[at];
        if (BpftoolGrammar.IsPrefix(word, "id"))
        {
            var id = Id(words, at + 1);
            at += 2;
            try
            {
                return [BpfObjectLookup.OpenById(kind, (int)id)];
            }
            catch (BpfSyscallException e)
            {
                throw CliException.Kernel($"get by id ({id}): {e.ErrnoName}");
            }
        }
        if (kind == BpfObjectKind.Program && BpftoolGrammar.IsPrefix(word, "tag"))
        {
            var tag = Argument(words, at + 1, "tag");
            at += 2;
            if (tag.Length != 16 || !ulong.TryParse(tag, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
                throw new CliException("can't parse tag");
            var found = BpfObjectLookup.ProgramsTagged(tag);
            return found.Count > 0 ? found : throw new CliException($"no prog with tag {tag.ToLowerInvariant()} found");
        }
        if (BpftoolGrammar.IsPrefix(word, "name"))
        {
            var name = Argument(words, at + 1, "name");
            at += 2;
            // Programs match on their whole name (up to 127 bytes), maps on the kernel's 15.
            if (name.Length > (kind == BpfObjectKind.Program ? 127 : 15)) throw new CliException("can't parse name");
            var found = kind == BpfObjectKind.Program ? BpfObjectLookup.ProgramsNamed(name) : BpfObjectLookup.MapsNamed(name);
            return found.Count > 0 ? found : throw new CliException($"no {what} with name {name} found");
        }
        if (BpftoolGrammar.IsPrefix(word, "pinned"))
        {
            var path = Argument(words, at + 1, "pinned");
            at += 2;
            return [OpenPinned(path, kind)];
        }
        throw new CliException(kind == BpfObjectKind.Program ? $"expected 'id', 'tag', 'name' or 'pinned', got: '{word}'?"
            : $"expected 'id', 'name' or 'pinned', got: '{word}'?");
    }

    private static uint Id(IReadOnlyList<string> words, int at)
    {
        var text = Argument(words, at, "id");
        return BpftoolGrammar.TryParseUInt32(text, out var id) ? id : throw new CliException($"can't parse {text} as ID");
    }

    private static string Argument(IReadOnlyList<string> words, int at, string keyword) =>
        at < words.Count ? words[at] : throw new CliException($"'{keyword}' needs an argument");

    private static BpfFileDescriptor OpenPinned(string path, BpfObjectKind kind)
    {
        try
        {
            return BpfObjectLookup.OpenPinned(path, kind);
        }
        catch (BpfSyscallException e)
        {
            throw CliException.Kernel($"bpf obj get ({path}): {e.ErrnoName}");
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static BpfFileDescriptor Single(List<BpfFileDescriptor> fds, string what)
    {
        if (fds.Count == 1) return fds[0];
        foreach (var fd in fds) fd.Dispose();
        throw new CliException($"several {what} match this handle");
    }

    /// <summary>Closes every fd of a list (also on failure paths).</summary>
    public static void DisposeAll(IEnumerable<BpfFileDescriptor> fds)
    {
        foreach (var fd in fds) fd.Dispose();
    }
}
