namespace BpfSharp.Linux;

/// <summary>The <c>bpf()</c> syscall commands (<c>enum bpf_cmd</c>, <c>BPF_*</c>).</summary>
public enum BpfCommand
{
    /// <summary><c>BPF_MAP_CREATE</c>.</summary>
    MapCreate = 0,
    /// <summary><c>BPF_MAP_LOOKUP_ELEM</c>.</summary>
    MapLookupElem = 1,
    /// <summary><c>BPF_MAP_UPDATE_ELEM</c>.</summary>
    MapUpdateElem = 2,
    /// <summary><c>BPF_MAP_DELETE_ELEM</c>.</summary>
    MapDeleteElem = 3,
    /// <summary><c>BPF_MAP_GET_NEXT_KEY</c>.</summary>
    MapGetNextKey = 4,
    /// <summary><c>BPF_PROG_LOAD</c>.</summary>
    ProgLoad = 5,
    /// <summary><c>BPF_OBJ_PIN</c>.</summary>
    ObjPin = 6,
    /// <summary><c>BPF_OBJ_GET</c>.</summary>
    ObjGet = 7,
    /// <summary><c>BPF_PROG_ATTACH</c>.</summary>
    ProgAttach = 8,
    /// <summary><c>BPF_PROG_DETACH</c>.</summary>
    ProgDetach = 9,
    /// <summary><c>BPF_PROG_TEST_RUN</c>.</summary>
    ProgTestRun = 10,
    /// <summary><c>BPF_PROG_GET_NEXT_ID</c>.</summary>
    ProgGetNextId = 11,
    /// <summary><c>BPF_MAP_GET_NEXT_ID</c>.</summary>
    MapGetNextId = 12,
    /// <summary><c>BPF_PROG_GET_FD_BY_ID</c>.</summary>
    ProgGetFdById = 13,
    /// <summary><c>BPF_MAP_GET_FD_BY_ID</c>.</summary>
    MapGetFdById = 14,
    /// <summary><c>BPF_OBJ_GET_INFO_BY_FD</c>.</summary>
    ObjGetInfoByFd = 15,
    /// <summary><c>BPF_PROG_QUERY</c>.</summary>
    ProgQuery = 16,
    /// <summary><c>BPF_RAW_TRACEPOINT_OPEN</c>.</summary>
    RawTracepointOpen = 17,
    /// <summary><c>BPF_BTF_LOAD</c>.</summary>
    BtfLoad = 18,
    /// <summary><c>BPF_BTF_GET_FD_BY_ID</c>.</summary>
    BtfGetFdById = 19,
    /// <summary><c>BPF_TASK_FD_QUERY</c>.</summary>
    TaskFdQuery = 20,
    /// <summary><c>BPF_MAP_LOOKUP_AND_DELETE_ELEM</c>.</summary>
    MapLookupAndDeleteElem = 21,
    /// <summary><c>BPF_MAP_FREEZE</c>.</summary>
    MapFreeze = 22,
    /// <summary><c>BPF_BTF_GET_NEXT_ID</c>.</summary>
    BtfGetNextId = 23,
    /// <summary><c>BPF_MAP_LOOKUP_BATCH</c>.</summary>
    MapLookupBatch = 24,
    /// <summary><c>BPF_MAP_LOOKUP_AND_DELETE_BATCH</c>.</summary>
    MapLookupAndDeleteBatch = 25,
    /// <summary><c>BPF_MAP_UPDATE_BATCH</c>.</summary>
    MapUpdateBatch = 26,
    /// <summary><c>BPF_MAP_DELETE_BATCH</c>.</summary>
    MapDeleteBatch = 27,
    /// <summary><c>BPF_LINK_CREATE</c>.</summary>
    LinkCreate = 28,
    /// <summary><c>BPF_LINK_UPDATE</c>.</summary>
    LinkUpdate = 29,
    /// <summary><c>BPF_LINK_GET_FD_BY_ID</c>.</summary>
    LinkGetFdById = 30,
    /// <summary><c>BPF_LINK_GET_NEXT_ID</c>.</summary>
    LinkGetNextId = 31,
    /// <summary><c>BPF_ENABLE_STATS</c>.</summary>
    EnableStats = 32,
    /// <summary><c>BPF_ITER_CREATE</c>.</summary>
    IterCreate = 33,
    /// <summary><c>BPF_LINK_DETACH</c>.</summary>
    LinkDetach = 34,
    /// <summary><c>BPF_PROG_BIND_MAP</c>.</summary>
    ProgBindMap = 35,
    /// <summary><c>BPF_TOKEN_CREATE</c>.</summary>
    TokenCreate = 36,
    /// <summary><c>BPF_PROG_STREAM_READ_BY_FD</c>.</summary>
    ProgStreamReadByFd = 37,
}
