using System.Net;
using System.Runtime.InteropServices;
using BpfSharp.Compiler;
using BpfSharp.Kernel;
using BpfSharp.Linux.Links;
using BpfSharp.Linux.Loading;
using BpfSharp.Objects;
using BpfSharp.Objects.Logging;
using BpfSharp.Observability;
using BpfSharp.TestPrograms;
using BpfSharp.Tests.Compiler;
using BpfSharp.Tests.Linux;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Tests.Observability;

/// <summary>
/// BpfLog end to end: C# programs (tests/BpfSharp.TestPrograms/Logging.cs) log every kind of hole from a raw
/// tracepoint on this thread's getppid(); the records travel through the kernel's ring buffer and arrive in an
/// ILogger with the text .NET itself formats for the values the test put in a map, and one property per hole.
/// </summary>
public sealed unsafe partial class BpfLogTests
{
    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentPid();

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    private static byte[] Compile(string program)
    {
        var compilation = BpfCompiler.Compile(CompiledTestPrograms.AssemblyPath, new BpfCompilerOptions
        {
            ProgramFilter = name => name == "BpfSharp.TestPrograms.Logging." + program,
        });
        return compilation.GetObjectOrThrow();
    }

    private static LogInputs Inputs(nint userText)
    {
        var inputs = new LogInputs
        {
            Negative = -5, Count = 7, Big = -1234567890123, Mask = 0xbeef, Small = -2, Tiny = 0xAB, Flag = true, Letter = 'Z',
            Source = new Ipv4Address(BitConverter.ToUInt32(IPAddress.Parse("10.1.2.3").GetAddressBytes())),
            UserText = (ulong)userText,
        };
        IPAddress.Parse("2001:db8::1").GetAddressBytes().CopyTo(new Span<byte>(inputs.Destination.Bytes, 16));
        byte[] mac = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];
        mac.CopyTo(new Span<byte>(inputs.Station.Bytes, 6));
        "comm-name"u8.CopyTo(new Span<byte>(inputs.Name, 16));
        "wide".AsSpan().CopyTo(new Span<char>(inputs.WideName, 8));
        return inputs;
    }

    [Fact]
    public void TheCatalogDescribesEveryHole()
    {
        var catalog = BpfLogCatalog.FromObject(ObjectSpec.Read(Compile(nameof(Logging.LogEveryKind))))!;
        Assert.Equal(5, catalog.Sites.Count);
        Assert.Equal("ints {Negative} {Count} {Big} {Mask:x} {Small} {Tiny:X} {Flag} {Letter} {{braces}}", catalog.Sites[1].Template);
        Assert.Equal(["Name", "WideName", "UserText", "Name2"], catalog.Sites[3].Arguments.Select(a => a.Name));
        Assert.Equal(
            [BpfLogArgumentKind.Utf8String, BpfLogArgumentKind.Utf16String, BpfLogArgumentKind.Utf8String, BpfLogArgumentKind.Utf8String],
            catalog.Sites[3].Arguments.Select(a => a.Kind));
        // What the compiler wrote reads back the same after a round trip through the section bytes.
        var again = BpfLogCatalog.Read(catalog.ToBytes());
        Assert.Equal(catalog.Sites.Select(s => s.Template), again.Sites.Select(s => s.Template));
    }

    [Fact]
    public void EveryKindOfHoleReachesTheLogger()
    {
        KernelObjects.RequireBpf();
        var userText = Marshal.StringToHGlobalAnsi("user-text");
        try
        {
            using var collection = BpfCollection.Load(ObjectSpec.Read(Compile(nameof(Logging.LogEveryKind))));
            var tid = (uint)GetThreadId();
            collection.WriteVariable("LogThread", tid);
            collection.Maps["LogValues"].Update(0u, Inputs(userText));
            var logger = new ListLogger();
            using var reader = new BpfLogReader(collection, logger);
            using (RawTracepointLink.Attach(collection.Programs[nameof(Logging.LogEveryKind)], "sys_enter"))
            {
                GetParentPid();
            }

            reader.Drain();
            Assert.Equal(5, logger.Entries.Count);
            var (trace, ints, addresses, text, pointer) = (logger.Entries[0], logger.Entries[1], logger.Entries[2], logger.Entries[3], logger.Entries[4]);

            Assert.Equal(LogLevel.Trace, trace.Level);
            Assert.Equal($"tgid {Environment.ProcessId}", trace.Message);
            Assert.Equal((uint)Environment.ProcessId, Assert.IsType<uint>(trace["tgid"]));
            Assert.Equal("tgid {tgid}", trace[BpfLogEntry.OriginalFormatKey]);

            Assert.Equal(LogLevel.Information, ints.Level);
            Assert.Equal($"ints -5 7 -1234567890123 {0xbeef:x} -2 {0xAB:X} {true} Z {{braces}}", ints.Message);
            Assert.Equal(-5, ints["Negative"]);
            Assert.Equal(7u, ints["Count"]);
            Assert.Equal(-1234567890123L, ints["Big"]);
            Assert.Equal(0xbeefUL, ints["Mask"]);
            Assert.Equal((short)-2, ints["Small"]);
            Assert.Equal((byte)0xAB, ints["Tiny"]);
            Assert.Equal(true, ints["Flag"]);
            Assert.Equal('Z', ints["Letter"]);

            Assert.Equal(LogLevel.Warning, addresses.Level);
            Assert.Equal("addresses 10.1.2.3 2001:db8::1 02:42:ac:11:00:02 7.0.0.0", addresses.Message);
            Assert.Equal(IPAddress.Parse("10.1.2.3"), addresses["Source"]);
            Assert.Equal(IPAddress.Parse("2001:db8::1"), addresses["Destination"]);
            Assert.Equal("02:42:ac:11:00:02", addresses["Station"]);

            Assert.Equal(LogLevel.Error, text.Level);
            Assert.Equal("text comm-name wide user-text comm-na", text.Message); // str8: 7 bytes and the NUL
            Assert.Equal("user-text", text["UserText"]);

            Assert.Equal(LogLevel.Critical, pointer.Level);
            Assert.Equal($"pointer 0x{(ulong)userText:x}", pointer.Message);
            Assert.Equal((ulong)userText, pointer["UserText"]);
            Assert.Equal(0ul, reader.LostCount);
        }
        finally
        {
            Marshal.FreeHGlobal(userText);
        }
    }

    [Fact]
    public void RecordsTheRingHasNoRoomForAreCountedAndReported()
    {
        KernelObjects.RequireBpf();
        var userText = Marshal.StringToHGlobalAnsi(new string('x', 150));
        try
        {
            using var collection = BpfCollection.Load(ObjectSpec.Read(Compile(nameof(Logging.LogFlood))));
            collection.WriteVariable("LogThread", (uint)GetThreadId());
            collection.Maps["LogValues"].Update(0u, Inputs(userText));
            var logger = new ListLogger();
            using var reader = new BpfLogReader(collection, logger);
            const int calls = 2000; // ~240 bytes each: several times what a 64 KiB ring holds
            using (RawTracepointLink.Attach(collection.Programs[nameof(Logging.LogFlood)], "sys_enter"))
            {
                for (var i = 0; i < calls; i++)
                {
                    GetParentPid();
                }
            }

            reader.Drain();
            var lostInMap = collection.ReadVariable<ulong>(BpfLogCatalog.LostCounterName);
            Assert.True(lostInMap > 0, "nothing was lost");
            Assert.Equal((long)calls, reader.DeliveredCount + (long)lostInMap);
            Assert.Equal(lostInMap, reader.LostCount);
            var warning = Assert.Single(logger.Entries, e => e.EventId == BpfLogReader.LostEventId);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Equal(lostInMap, warning["LostRecords"]);
            Assert.All(logger.Entries.Where(e => e.EventId != BpfLogReader.LostEventId),
                e => Assert.Equal($"flood {new string('x', 150)} -1234567890123", e.Message));
        }
        finally
        {
            Marshal.FreeHGlobal(userText);
        }
    }

    [Fact]
    public void DamagedCatalogsAndRecordsGiveFormatErrorsWithTheOffset()
    {
        var bytes = BpfLogCatalog.FromObject(ObjectSpec.Read(Compile(nameof(Logging.LogEveryKind))))!.ToBytes();
        // Every truncation fails with BPFF0701 naming the section; none reads past the end or allocates by a count.
        for (var length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<BpfFormatException>(() => BpfLogCatalog.Read(bytes.AsSpan(0, length)));
            Assert.Equal(BpfFormatError.LogCatalogMalformed, e.ErrorCode);
            Assert.Equal(BpfLogCatalog.SectionName, e.Section);
            Assert.InRange(e.SectionOffset, 0, length);
        }

        // Every single-byte change either still reads or fails with a format error, never anything else.
        var random = new Random(16);
        for (var i = 0; i < 2000; i++)
        {
            var mutant = (byte[])bytes.Clone();
            mutant[random.Next(mutant.Length)] = (byte)random.Next(256);
            try
            {
                BpfLogCatalog.Read(mutant);
            }
            catch (BpfFormatException e)
            {
                Assert.Equal(BpfFormatError.LogCatalogMalformed, e.ErrorCode);
            }
        }

        var catalog = BpfLogCatalog.Read(bytes);
        Assert.Equal(BpfFormatError.LogRecordMalformed, Assert.Throws<BpfFormatException>(() => catalog.Decode([1, 0])).ErrorCode);
        Assert.Equal(BpfFormatError.LogRecordMalformed, Assert.Throws<BpfFormatException>(() => catalog.Decode([99, 0, 0, 0])).ErrorCode);
        Assert.Equal(BpfFormatError.LogRecordMalformed, Assert.Throws<BpfFormatException>(() => catalog.Decode([1, 0, 0, 0, 5])).ErrorCode);
    }
}
