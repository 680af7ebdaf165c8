namespace BpfSharp.Kernel;

public static unsafe partial class Bpf
{
    /// <summary><c>bpf_map_lookup_elem</c>: the value stored under <paramref name="key"/>, or null.</summary>
    /// <param name="map">The map.</param>
    /// <param name="key">Points to a key of the map's key size.</param>
    /// <returns>A pointer into the map's value (writable in place), or null when the key is absent.</returns>
    [BpfHelper(1)]
    public static void* MapLookupElem(KernelMap map, void* key) => throw new BpfOnlyException();

    /// <summary><c>bpf_map_update_elem</c>: stores <paramref name="value"/> under <paramref name="key"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="key">Points to the key.</param>
    /// <param name="value">Points to the value.</param>
    /// <param name="flags">An <see cref="UpdateFlags"/> value (<c>BPF_ANY</c>, <c>BPF_NOEXIST</c>, <c>BPF_EXIST</c>, <c>BPF_F_LOCK</c>).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(2)]
    public static long MapUpdateElem(KernelMap map, void* key, void* value, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_map_delete_elem</c>: removes the entry under <paramref name="key"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="key">Points to the key.</param>
    /// <returns>0, or a negative errno (<c>-ENOENT</c> when absent).</returns>
    [BpfHelper(3)]
    public static long MapDeleteElem(KernelMap map, void* key) => throw new BpfOnlyException();

    /// <summary><c>bpf_map_push_elem</c>: pushes a value onto a queue or stack map.</summary>
    /// <param name="map">The queue or stack map.</param>
    /// <param name="value">Points to the value.</param>
    /// <param name="flags">0, or <c>BPF_EXIST</c> to overwrite the oldest element when full.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(87)]
    public static long MapPushElem(KernelMap map, void* value, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_map_pop_elem</c>: removes the next element of a queue or stack map into <paramref name="value"/>.</summary>
    /// <param name="map">The queue or stack map.</param>
    /// <param name="value">Receives the element.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(88)]
    public static long MapPopElem(KernelMap map, void* value) => throw new BpfOnlyException();

    /// <summary><c>bpf_map_peek_elem</c>: copies the next element of a queue or stack map without removing it.</summary>
    /// <param name="map">The queue or stack map.</param>
    /// <param name="value">Receives the element.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(89)]
    public static long MapPeekElem(KernelMap map, void* value) => throw new BpfOnlyException();

    /// <summary><c>bpf_map_lookup_percpu_elem</c>: the value of a per-CPU map on a given CPU.</summary>
    /// <param name="map">A per-CPU hash or array map.</param>
    /// <param name="key">Points to the key.</param>
    /// <param name="cpu">The CPU whose copy to return.</param>
    /// <returns>A pointer to that CPU's value, or null.</returns>
    [BpfHelper(195)]
    public static void* MapLookupPercpuElem(KernelMap map, void* key, uint cpu) => throw new BpfOnlyException();

    /// <summary><c>bpf_for_each_map_elem</c>: calls <paramref name="callbackFn"/> for each element of the map.</summary>
    /// <param name="map">The map.</param>
    /// <param name="callbackFn">Called as <c>callback(map, key, value, callbackCtx)</c>; returning 1 stops the walk.</param>
    /// <param name="callbackCtx">Passed through to the callback.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>The number of elements visited, or a negative errno.</returns>
    [BpfHelper(164)]
    public static long ForEachMapElem(KernelMap map, delegate* managed<void*, void*, void*, void*, long> callbackFn, void* callbackCtx, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_tail_call</c>: jumps to the program at <paramref name="index"/> of a program array; does not return on success.</summary>
    /// <param name="ctx">The current program's context.</param>
    /// <param name="progArrayMap">A <see cref="ProgramArray"/>.</param>
    /// <param name="index">The slot to jump to.</param>
    /// <returns>A negative value when the slot is empty or the tail-call limit is reached.</returns>
    [BpfHelper(12)]
    public static long TailCall(void* ctx, KernelMap progArrayMap, uint index) => throw new BpfOnlyException();

    /// <summary><c>bpf_get_local_storage</c>: the cgroup local storage of the current program.</summary>
    /// <param name="map">The cgroup storage map.</param>
    /// <param name="flags">Must be 0.</param>
    /// <returns>A pointer to the storage.</returns>
    [BpfHelper(81)]
    public static void* GetLocalStorage(KernelMap map, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_storage_get</c>: the socket-local storage of <paramref name="sk"/>.</summary>
    /// <param name="map">A <c>BPF_MAP_TYPE_SK_STORAGE</c> map.</param>
    /// <param name="sk">The socket (a full socket pointer).</param>
    /// <param name="value">Initial value when creating, or null.</param>
    /// <param name="flags"><c>BPF_SK_STORAGE_GET_F_CREATE</c> (1) to create the storage.</param>
    /// <returns>A pointer to the storage, or null.</returns>
    [BpfHelper(107)]
    public static void* SkStorageGet(KernelMap map, void* sk, void* value, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_sk_storage_delete</c>: deletes the socket-local storage of <paramref name="sk"/>.</summary>
    /// <param name="map">The socket storage map.</param>
    /// <param name="sk">The socket.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(108)]
    public static long SkStorageDelete(KernelMap map, void* sk) => throw new BpfOnlyException();

    /// <summary><c>bpf_task_storage_get</c>: the task-local storage of <paramref name="task"/>.</summary>
    /// <param name="map">A <c>BPF_MAP_TYPE_TASK_STORAGE</c> map.</param>
    /// <param name="task">A <c>struct task_struct *</c> the verifier trusts.</param>
    /// <param name="value">Initial value when creating, or null.</param>
    /// <param name="flags"><c>BPF_LOCAL_STORAGE_GET_F_CREATE</c> (1) to create the storage.</param>
    /// <returns>A pointer to the storage, or null.</returns>
    [BpfHelper(156)]
    public static void* TaskStorageGet(KernelMap map, void* task, void* value, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_task_storage_delete</c>: deletes the task-local storage of <paramref name="task"/>.</summary>
    /// <param name="map">The task storage map.</param>
    /// <param name="task">The task.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(157)]
    public static long TaskStorageDelete(KernelMap map, void* task) => throw new BpfOnlyException();

    /// <summary><c>bpf_inode_storage_get</c>: the inode-local storage of <paramref name="inode"/>.</summary>
    /// <param name="map">A <c>BPF_MAP_TYPE_INODE_STORAGE</c> map.</param>
    /// <param name="inode">The inode.</param>
    /// <param name="value">Initial value when creating, or null.</param>
    /// <param name="flags">1 to create the storage.</param>
    /// <returns>A pointer to the storage, or null.</returns>
    [BpfHelper(145)]
    public static void* InodeStorageGet(KernelMap map, void* inode, void* value, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_inode_storage_delete</c>: deletes the inode-local storage of <paramref name="inode"/>.</summary>
    /// <param name="map">The inode storage map.</param>
    /// <param name="inode">The inode.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(146)]
    public static int InodeStorageDelete(KernelMap map, void* inode) => throw new BpfOnlyException();

    /// <summary><c>bpf_cgrp_storage_get</c>: the cgroup-local storage of <paramref name="cgroup"/>.</summary>
    /// <param name="map">A <c>BPF_MAP_TYPE_CGRP_STORAGE</c> map.</param>
    /// <param name="cgroup">A <c>struct cgroup *</c> the verifier trusts.</param>
    /// <param name="value">Initial value when creating, or null.</param>
    /// <param name="flags">1 to create the storage.</param>
    /// <returns>A pointer to the storage, or null.</returns>
    [BpfHelper(210)]
    public static void* CgrpStorageGet(KernelMap map, void* cgroup, void* value, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_cgrp_storage_delete</c>: deletes the cgroup-local storage of <paramref name="cgroup"/>.</summary>
    /// <param name="map">The cgroup storage map.</param>
    /// <param name="cgroup">The cgroup.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(211)]
    public static long CgrpStorageDelete(KernelMap map, void* cgroup) => throw new BpfOnlyException();

    /// <summary><c>bpf_kptr_xchg</c>: atomically exchanges a referenced kernel pointer stored in a map value.</summary>
    /// <param name="mapValue">Points to the <c>__kptr</c> field inside a map value.</param>
    /// <param name="ptr">The new pointer (ownership moves into the map), or null.</param>
    /// <returns>The old pointer (ownership moves to the program), or null.</returns>
    [BpfHelper(194)]
    public static void* KptrXchg(void* mapValue, void* ptr) => throw new BpfOnlyException();

    /// <summary><c>bpf_spin_lock</c>: takes the <c>struct bpf_spin_lock</c> inside a map value.</summary>
    /// <param name="spinLock">Points to the lock.</param>
    /// <returns>0.</returns>
    [BpfHelper(93)]
    public static long SpinLock(void* spinLock) => throw new BpfOnlyException();

    /// <summary><c>bpf_spin_unlock</c>: releases a lock taken with <see cref="SpinLock"/>.</summary>
    /// <param name="spinLock">Points to the lock.</param>
    /// <returns>0.</returns>
    [BpfHelper(94)]
    public static long SpinUnlock(void* spinLock) => throw new BpfOnlyException();

    /// <summary><c>bpf_timer_init</c>: initialises a <c>struct bpf_timer</c> inside a map value.</summary>
    /// <param name="timer">Points to the timer.</param>
    /// <param name="map">The map that holds the timer.</param>
    /// <param name="flags">The clock id (<c>CLOCK_MONOTONIC</c>, <c>CLOCK_REALTIME</c>, <c>CLOCK_BOOTTIME</c>).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(169)]
    public static long TimerInit(void* timer, KernelMap map, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_timer_set_callback</c>: the function the timer calls, as <c>callback(map, key, timer)</c>.</summary>
    /// <param name="timer">Points to the timer.</param>
    /// <param name="callbackFn">The callback; must return 0.</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(170)]
    public static long TimerSetCallback(void* timer, delegate* managed<void*, void*, void*, long> callbackFn) => throw new BpfOnlyException();

    /// <summary><c>bpf_timer_start</c>: arms the timer.</summary>
    /// <param name="timer">Points to the timer.</param>
    /// <param name="nsecs">Delay (or absolute time with <c>BPF_F_TIMER_ABS</c>) in nanoseconds.</param>
    /// <param name="flags"><c>BPF_F_TIMER_ABS</c> (1), <c>BPF_F_TIMER_CPU_PIN</c> (2).</param>
    /// <returns>0, or a negative errno.</returns>
    [BpfHelper(171)]
    public static long TimerStart(void* timer, ulong nsecs, ulong flags) => throw new BpfOnlyException();

    /// <summary><c>bpf_timer_cancel</c>: cancels the timer and waits for a running callback.</summary>
    /// <param name="timer">Points to the timer.</param>
    /// <returns>1 if it was active, 0 if not, or a negative errno.</returns>
    [BpfHelper(172)]
    public static long TimerCancel(void* timer) => throw new BpfOnlyException();
}
