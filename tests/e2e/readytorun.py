#!/usr/bin/env python3
"""Exit 0 when the given .NET assembly holds ReadyToRun (precompiled) code.

Reads the PE file's CLI header (ECMA-335 II.25.3.3): a ReadyToRun image has a
ManagedNativeHeader pointing at a header whose signature is "RTR"."""
import struct
import sys

RTR_SIGNATURE = 0x00525452  # "RTR\0"
CLI_HEADER_DIRECTORY = 14


def rva_to_offset(sections, rva):
    for virtual_address, virtual_size, raw_pointer, raw_size in sections:
        if virtual_address <= rva < virtual_address + max(virtual_size, raw_size):
            return raw_pointer + rva - virtual_address
    raise ValueError(f"RVA 0x{rva:x} is in no section")


def is_readytorun(data: bytes) -> bool:
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        raise ValueError("not a PE file")
    sections_count, optional_size = struct.unpack_from("<H12xH", data, pe + 6)
    optional = pe + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    directories = optional + (96 if magic == 0x10B else 112)
    cli_rva, _ = struct.unpack_from("<II", data, directories + 8 * CLI_HEADER_DIRECTORY)
    sections = []
    for i in range(sections_count):
        virtual_size, virtual_address, raw_size, raw_pointer = struct.unpack_from(
            "<IIII", data, optional + optional_size + 40 * i + 8)
        sections.append((virtual_address, virtual_size, raw_pointer, raw_size))
    if cli_rva == 0:
        raise ValueError("no CLI header: not a .NET assembly")
    cli = rva_to_offset(sections, cli_rva)
    native_rva, native_size = struct.unpack_from("<II", data, cli + 64)
    if native_rva == 0 or native_size == 0:
        return False
    return struct.unpack_from("<I", data, rva_to_offset(sections, native_rva))[0] == RTR_SIGNATURE


def main() -> int:
    with open(sys.argv[1], "rb") as f:
        ok = is_readytorun(f.read())
    print(f"{sys.argv[1]}: {'ReadyToRun' if ok else 'IL only'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
