# Every eBPF instruction form, in llvm-mc's BPF assembly syntax.
# Assembled at test time with llvm-mc-19 -triple bpfel/bpfeb -mcpu=v4; the disassembly is compared with llvm-objdump-19.
	.text
	.globl forms
	.type forms,@function
forms:
# 64-bit ALU
	r1 = r2
	r3 = 7
	r3 = -7
	r10 = 2147483647
	r0 = -2147483648
	r1 += r2
	r4 += 5
	r9 += -3
	r1 -= r2
	r4 -= 5
	r9 -= -3
	r1 *= r2
	r4 *= 5
	r9 *= -3
	r1 /= r2
	r4 /= 5
	r9 /= -3
	r1 |= r2
	r4 |= 5
	r9 |= -3
	r1 &= r2
	r4 &= 5
	r9 &= -3
	r1 <<= r2
	r4 <<= 5
	r9 <<= -3
	r1 >>= r2
	r4 >>= 5
	r9 >>= -3
	r1 %= r2
	r4 %= 5
	r9 %= -3
	r1 ^= r2
	r4 ^= 5
	r9 ^= -3
	r1 s>>= r2
	r4 s>>= 5
	r9 s>>= -3
	r1 s/= r2
	r4 s/= 5
	r9 s/= -3
	r1 s%= r2
	r4 s%= 5
	r9 s%= -3
	r1 = -r1
	r1 = (s8)r2
	r1 = (s16)r2
# 32-bit ALU
	w1 = w2
	w3 = 7
	w3 = -7
	w10 = 2147483647
	w0 = -2147483648
	w1 += w2
	w4 += 5
	w9 += -3
	w1 -= w2
	w4 -= 5
	w9 -= -3
	w1 *= w2
	w4 *= 5
	w9 *= -3
	w1 /= w2
	w4 /= 5
	w9 /= -3
	w1 |= w2
	w4 |= 5
	w9 |= -3
	w1 &= w2
	w4 &= 5
	w9 &= -3
	w1 <<= w2
	w4 <<= 5
	w9 <<= -3
	w1 >>= w2
	w4 >>= 5
	w9 >>= -3
	w1 %= w2
	w4 %= 5
	w9 %= -3
	w1 ^= w2
	w4 ^= 5
	w9 ^= -3
	w1 s>>= w2
	w4 s>>= 5
	w9 s>>= -3
	w1 s/= w2
	w4 s/= 5
	w9 s/= -3
	w1 s%= w2
	w4 s%= 5
	w9 s%= -3
	w1 = -w1
	w1 = (s8)w2
	w1 = (s16)w2
	r1 = (s32)r2
# byte order
	r1 = be16 r1
	r2 = le16 r2
	r3 = bswap16 r3
	r1 = be32 r1
	r2 = le32 r2
	r3 = bswap32 r3
	r1 = be64 r1
	r2 = le64 r2
	r3 = bswap64 r3
# arena
	r1 = addr_space_cast(r2, 1, 0)
	r3 = addr_space_cast(r4, 0, 1)
# loads and stores
	r1 = *(u8 *)(r2 + 0)
	r3 = *(u8 *)(r10 - 8)
	r4 = *(u8 *)(r5 + 32767)
	r4 = *(u8 *)(r5 - 32768)
	*(u8 *)(r1 + 4) = r2
	*(u8 *)(r10 - 16) = r9
	*(u8 *)(r1 + 0) = 5
	*(u8 *)(r1 - 2) = -1
	r1 = *(u16 *)(r2 + 0)
	r3 = *(u16 *)(r10 - 8)
	r4 = *(u16 *)(r5 + 32767)
	r4 = *(u16 *)(r5 - 32768)
	*(u16 *)(r1 + 4) = r2
	*(u16 *)(r10 - 16) = r9
	*(u16 *)(r1 + 0) = 5
	*(u16 *)(r1 - 2) = -1
	r1 = *(u32 *)(r2 + 0)
	r3 = *(u32 *)(r10 - 8)
	r4 = *(u32 *)(r5 + 32767)
	r4 = *(u32 *)(r5 - 32768)
	*(u32 *)(r1 + 4) = r2
	*(u32 *)(r10 - 16) = r9
	*(u32 *)(r1 + 0) = 5
	*(u32 *)(r1 - 2) = -1
	r1 = *(u64 *)(r2 + 0)
	r3 = *(u64 *)(r10 - 8)
	r4 = *(u64 *)(r5 + 32767)
	r4 = *(u64 *)(r5 - 32768)
	*(u64 *)(r1 + 4) = r2
	*(u64 *)(r10 - 16) = r9
	*(u64 *)(r1 + 0) = 5
	*(u64 *)(r1 - 2) = -1
	w1 = *(u8 *)(r2 + 6)
	*(u8 *)(r1 + 2) = w3
	w1 = *(u16 *)(r2 + 6)
	*(u16 *)(r1 + 2) = w3
	w1 = *(u32 *)(r2 + 6)
	*(u32 *)(r1 + 2) = w3
	r1 = *(s8 *)(r2 + 0)
	r6 = *(s8 *)(r7 - 12)
	r1 = *(s16 *)(r2 + 0)
	r6 = *(s16 *)(r7 - 12)
	r1 = *(s32 *)(r2 + 0)
	r6 = *(s32 *)(r7 - 12)
# atomics
	lock *(u64 *)(r1 + 8) += r2
	lock *(u32 *)(r1 - 8) += w2
	r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)
	w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)
	lock *(u64 *)(r1 + 8) &= r2
	lock *(u32 *)(r1 - 8) &= w2
	r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)
	w2 = atomic_fetch_and((u32 *)(r1 + 0), w2)
	lock *(u64 *)(r1 + 8) |= r2
	lock *(u32 *)(r1 - 8) |= w2
	r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)
	w2 = atomic_fetch_or((u32 *)(r1 + 0), w2)
	lock *(u64 *)(r1 + 8) ^= r2
	lock *(u32 *)(r1 - 8) ^= w2
	r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)
	w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)
	r2 = xchg_64(r1 + 16, r2)
	w2 = xchg32_32(r1 + 16, w2)
	r0 = cmpxchg_64(r1 + 24, r0, r2)
	w0 = cmpxchg32_32(r1 + 24, w0, w2)
# legacy packet loads
	r0 = *(u8 *)skb[12]
	r0 = *(u8 *)skb[r3]
	r0 = *(u16 *)skb[12]
	r0 = *(u16 *)skb[r3]
	r0 = *(u32 *)skb[12]
	r0 = *(u32 *)skb[r3]
# ld_imm64
	r1 = 0 ll
	r2 = -1 ll
	r3 = 0x123456789abcdef0 ll
	r10 = 0x7fffffffffffffff ll
	r0 = -9223372036854775808 ll
	r4 = 4294967296 ll
	r5 = forms ll
# jumps
.Lback:
	if r1 == r2 goto .Lback
	if r3 == 7 goto +2
	if r4 == -1 goto -1
	if r1 != r2 goto .Lback
	if r3 != 7 goto +2
	if r4 != -1 goto -1
	if r1 > r2 goto .Lback
	if r3 > 7 goto +2
	if r4 > -1 goto -1
	if r1 >= r2 goto .Lback
	if r3 >= 7 goto +2
	if r4 >= -1 goto -1
	if r1 < r2 goto .Lback
	if r3 < 7 goto +2
	if r4 < -1 goto -1
	if r1 <= r2 goto .Lback
	if r3 <= 7 goto +2
	if r4 <= -1 goto -1
	if r1 s> r2 goto .Lback
	if r3 s> 7 goto +2
	if r4 s> -1 goto -1
	if r1 s>= r2 goto .Lback
	if r3 s>= 7 goto +2
	if r4 s>= -1 goto -1
	if r1 s< r2 goto .Lback
	if r3 s< 7 goto +2
	if r4 s< -1 goto -1
	if r1 s<= r2 goto .Lback
	if r3 s<= 7 goto +2
	if r4 s<= -1 goto -1
	if r1 & r2 goto .Lback
	if r3 & 7 goto +2
	if r4 & -1 goto -1
	if w1 == w2 goto .Lback
	if w3 == 7 goto +2
	if w4 == -1 goto -1
	if w1 != w2 goto .Lback
	if w3 != 7 goto +2
	if w4 != -1 goto -1
	if w1 > w2 goto .Lback
	if w3 > 7 goto +2
	if w4 > -1 goto -1
	if w1 >= w2 goto .Lback
	if w3 >= 7 goto +2
	if w4 >= -1 goto -1
	if w1 < w2 goto .Lback
	if w3 < 7 goto +2
	if w4 < -1 goto -1
	if w1 <= w2 goto .Lback
	if w3 <= 7 goto +2
	if w4 <= -1 goto -1
	if w1 s> w2 goto .Lback
	if w3 s> 7 goto +2
	if w4 s> -1 goto -1
	if w1 s>= w2 goto .Lback
	if w3 s>= 7 goto +2
	if w4 s>= -1 goto -1
	if w1 s< w2 goto .Lback
	if w3 s< 7 goto +2
	if w4 s< -1 goto -1
	if w1 s<= w2 goto .Lback
	if w3 s<= 7 goto +2
	if w4 s<= -1 goto -1
	if w1 & w2 goto .Lback
	if w3 & 7 goto +2
	if w4 & -1 goto -1
	goto +0
	goto -1
	goto .Lfwd
	gotol .Lfwd
	gotol -5
	may_goto +3
	may_goto .Lback
	call 1
	call 212
	call -1
	call sub
	callx r5
.Lfwd:
	exit

	.type sub,@function
sub:
	r0 = 0
	if r1 > 3 goto .Lsubend
	call sub
.Lsubend:
	exit

# a second code section, with a label that is not at its start
	.section xdp,"ax",@progbits
	r0 = 2
	.globl xdp_prog
	.type xdp_prog,@function
xdp_prog:
	if r1 == 0 goto -2
	goto +5
	r1 = xdp_prog ll
	exit
