using BpfSharp.Kernel;

namespace BpfSharp.TestPrograms.Twins;

/// <summary>Twin of testdata/twins/map_of_maps.bpf.c: maps of maps looked up by key, their inner maps counted into.</summary>
public static unsafe class MapOfMapsTwin
{
    static readonly ArrayMap<ulong> PresetCounts = new(maxEntries: 4);
    static readonly ArrayOfMaps<ArrayMap<ulong>> CountsBySlot = new(maxEntries: 2, innerMaxEntries: 4) { [1] = PresetCounts };
    static readonly HashOfMaps<uint, HashMap<uint, ulong>> CountsByKey = new(maxEntries: 8, innerMaxEntries: 16);
    static readonly ArrayMap<uint> SlotSelector = new(maxEntries: 1);

    [Xdp]
    public static int CountIntoInner(XdpMd* ctx)
    {
        uint* which = SlotSelector.Lookup(0);
        if (which == null)
        {
            return (int)XdpAction.Pass;
        }

        uint len = ctx->DataEnd - ctx->Data;
        var counts = CountsBySlot.Lookup(*which);
        if (counts != null)
        {
            ulong* packets = counts.Lookup(0);
            if (packets != null)
            {
                *packets += 1;
            }

            ulong* bytes = counts.Lookup(1);
            if (bytes != null)
            {
                *bytes += len;
            }
        }

        var byLength = CountsByKey.Lookup(*which);
        if (byLength != null)
        {
            ulong* count = byLength.Lookup(len);
            if (count != null)
            {
                *count += 1;
            }
            else
            {
                byLength.Update(len, 1, UpdateFlags.NoExist);
            }
        }

        return (int)XdpAction.Pass;
    }
}
