#!/usr/bin/env python3
"""Writes decoder_fuzz seeds from classic pcap files: one file per packet, first byte = link index.

usage: make_fuzz_seeds.py OUTDIR PCAP... (at most 200 packets per capture)
"""
import os
import struct
import sys

LINKS = [1, 113, 276, 101, 12, 14, 228, 229, 0, 108, 147]  # same order as decoder_fuzz.cpp


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return
    link = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if caplen > 262144 or off + caplen > len(data):
            return
        yield link, data[off:off + caplen]
        off += caplen


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for path in sys.argv[2:]:
        for i, (link, pkt) in enumerate(packets(path)):
            if i >= 200 or link not in LINKS:
                break
            with open(os.path.join(out, "seed%06d" % n), "wb") as f:
                f.write(bytes([LINKS.index(link)]) + pkt)
            n += 1
    print(n, "seeds")


if __name__ == "__main__":
    main()
