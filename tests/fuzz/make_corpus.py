#!/usr/bin/env python3
"""Write the seed corpus of fuzz_il (tests/fuzz/corpus/).

Each seed is: one control byte (bits 0..5 signature length, bit 6 wrap with a
catch too, bit 7 alternative entry snippet), the method signature, then the
method body exactly as GetILFunctionBody returns it.

The fuzzer's fake runtime answers call tokens from their low bits:
params = token & 3, has_this = token >> 2 & 1, returns_value = token >> 3 & 1,
and a local-signature token names, by token & 3: 0, 1 -> {07 02 08 0E}
(int32, string); 2 -> five int32 locals; 3 -> 300 int32 locals.

Run from anywhere: python3 tests/fuzz/make_corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

WITH_CATCH = 0x40
ALT_ENTRY = 0x80

# Method signatures (II.23.2.1).
SIG_VOID = bytes([0x00, 0x00, 0x01])                  # static void ()
SIG_INT = bytes([0x00, 0x00, 0x08])                   # static int32 ()
SIG_VOID_INT = bytes([0x00, 0x01, 0x01, 0x08])        # static void (int32)
SIG_INST_INT_INT = bytes([0x20, 0x01, 0x08, 0x08])    # instance int32 (int32)
# instance generic<1> List`1<!!0> (string[], int32&, int32[,])
SIG_GENERIC = bytes([0x30, 0x01, 0x03,
                     0x15, 0x12, 0x05, 0x01, 0x1E, 0x00,
                     0x1D, 0x0E,
                     0x10, 0x08,
                     0x14, 0x08, 0x02, 0x00, 0x00])
# static modreq(IsExternalInit) void ()
SIG_MODREQ_VOID = bytes([0x00, 0x00, 0x1F, 0x09, 0x01])


def tiny(code):
    assert len(code) < 64
    return bytes([len(code) << 2 | 0x2]) + code


def fat(code, max_stack=8, local_tok=0, init_locals=False, sections=b""):
    flags = 0x3 | (3 << 12)
    if init_locals:
        flags |= 0x10
    if sections:
        flags |= 0x8
    head = struct.pack("<HHII", flags, max_stack, len(code), local_tok)
    body = head + code
    if sections:
        body += b"\0" * (-len(body) % 4) + sections
    return body


def small_eh(clauses, more=False):
    """clauses: (flags, try_off, try_len, h_off, h_len, token_or_filter)"""
    data = b"".join(struct.pack("<HHBHBI", *c) for c in clauses)
    return bytes([0x01 | (0x80 if more else 0), 4 + len(data), 0, 0]) + data


def fat_eh(clauses, more=False):
    data = b"".join(struct.pack("<IIIIII", *c) for c in clauses)
    size = 4 + len(data)
    return bytes([0x41 | (0x80 if more else 0), size & 0xFF, size >> 8 & 0xFF, size >> 16]) + data


def seed(sig, body, ctl_bits=0):
    assert len(sig) < 64
    return bytes([len(sig) | ctl_bits]) + sig + body


SEEDS = {
    # ret
    "tiny_void_ret": seed(SIG_VOID, tiny(b"\x2A")),
    # ldc.i4.1; ret
    "tiny_int_ret": seed(SIG_INT, tiny(b"\x17\x2A"), WITH_CATCH),
    # ldarg.0; pop; ldarg.1; ret  (instance)
    "tiny_instance": seed(SIG_INST_INT_INT, tiny(b"\x02\x26\x03\x2A"), ALT_ENTRY),
    # no signature at all: ret needs it, so only the header codec and
    # branch-free paths run
    "no_sig_nop": seed(b"", tiny(b"\x00\x00\x2A")),
    # ldc.i4.0; ldc.i4.0; call 0A000002 (2 params, void);
    # newobj 0A000000; pop; ldc.i4.0; calli 11000008 (returns); pop; ret
    "calls": seed(SIG_VOID, tiny(b"\x16\x16\x28\x02\x00\x00\x0A"
                                 b"\x73\x00\x00\x00\x0A\x26"
                                 b"\x16\x29\x08\x00\x00\x11\x26\x2A")),
    # ldc.i4.0; tail. call 06000004 (has_this, void); ret
    "tail_call": seed(SIG_VOID, tiny(b"\x16\xFE\x14\x28\x04\x00\x00\x06\x2A"), WITH_CATCH),
    # jmp 06000001; wrap refuses it
    "jmp": seed(SIG_VOID, tiny(b"\x27\x01\x00\x00\x06")),
    # ldc.i4.0; br IL_0006 (long form, shrinks); pop; ret
    "long_branch": seed(SIG_VOID, tiny(b"\x16\x38\x00\x00\x00\x00\x26\x2A")),
    # br over 200 nops: stays long, fat header (code >= 64 bytes)
    "far_branch": seed(SIG_VOID, fat(b"\x38\xC8\x00\x00\x00" + b"\x00" * 200 + b"\x2A", max_stack=0)),
    # loop: ldc.i4.3; IL_1: ldc.i4.1; sub; dup; brtrue.s IL_1; pop; ret
    "loop": seed(SIG_VOID, tiny(b"\x19\x17\x59\x25\x2D\xFB\x26\x2A"), ALT_ENTRY | WITH_CATCH),
    # ldarg.0; switch (IL_0010, IL_0011); br.s IL_0012; nop; nop; ret
    "switch": seed(SIG_VOID_INT, tiny(b"\x02\x45\x02\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00"
                                      b"\x2B\x02\x00\x00\x2A")),
    # try { nop; ldc.i4.5; stloc.0; leave.s IL_0008 } finally { ldc.i4.1; pop; endfinally }
    # ldloc.0; ret   -- fat header, locals, init, small EH section
    "fat_finally": seed(SIG_INT, fat(b"\x00\x1B\x0A\xDE\x03\x17\x26\xDC\x06\x2A", max_stack=2,
                                     local_tok=0x11000001, init_locals=True,
                                     sections=small_eh([(2, 0, 5, 5, 3, 0)]))),
    # try { nop; leave.s IL_0006 } catch [01000001] { pop; leave.s IL_0006 } ret
    # -- fat EH section
    "fat_catch": seed(SIG_VOID, fat(b"\x00\xDE\x03\x26\xDE\x00\x2A", max_stack=1,
                                    sections=fat_eh([(0, 0, 3, 3, 3, 0x01000001)])), WITH_CATCH),
    # try { nop; leave.s IL_000A } filter { pop; ldc.i4.1; endfilter }
    # { pop; leave.s IL_000A } ret
    "fat_filter": seed(SIG_VOID, fat(b"\x00\xDE\x07\x26\x17\xFE\x11\x26\xDE\x00\x2A", max_stack=1,
                                     sections=small_eh([(1, 0, 3, 7, 3, 3)]))),
    # two chained EH sections (small then fat): a catch nested in a finally.
    # try { try { nop; leave.s IL_0006 } catch { pop; leave.s IL_0006 }
    #       IL_0006: leave.s IL_0009 } finally { endfinally } IL_0009: ret
    "fat_two_sections": seed(SIG_MODREQ_VOID, fat(
        b"\x00\xDE\x03\x26\xDE\x00\xDE\x01\xDC\x2A", max_stack=1,
        sections=small_eh([(0, 0, 3, 3, 3, 0x01000002)], more=True)
        + fat_eh([(2, 0, 8, 8, 1, 0)])), ALT_ENTRY),
    # generic instance method returning a class: ldnull; ret
    "generic_sig": seed(SIG_GENERIC, tiny(b"\x14\x2A"), WITH_CATCH),
    # every operand size: ldc.i8, ldc.r8, ldc.r4, ldstr, ldarg.s, ldloc (FE 0C), unaligned. prefix
    "operands": seed(SIG_VOID, fat(
        b"\x21" + struct.pack("<q", -2) + b"\x26"          # ldc.i8; pop
        + b"\x23" + struct.pack("<d", 1.5) + b"\x26"       # ldc.r8; pop
        + b"\x22" + struct.pack("<f", 2.5) + b"\x26"       # ldc.r4; pop
        + b"\x72\x01\x00\x00\x70\x26"                      # ldstr; pop
        + b"\xFE\x0C\x01\x00\x26"                          # ldloc 1; pop
        + b"\x12\x00\xFE\x12\x01\x4A\x26"                  # ldloca.s 0; unaligned. 1; ldind.i4; pop
        + b"\x2A", max_stack=1, local_tok=0x11000003)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        assert len(data) < 1024, name
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {OUT}")


if __name__ == "__main__":
    main()
