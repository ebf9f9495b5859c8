#!/usr/bin/env python3
"""Write the seeds of the detector fuzz target (tests/fuzz/fuzz_detect.c).

Its inputs are little programs in a binary encoding (the file comment of
fuzz_detect.c gives it); this writes the shapes tests/unit/check_detect.c
judges by hand (flux, a CDN, double flux, a CNAME alias, the lists, the
operator's verdicts, odd names, window ageing, the bounds of one answer) in
that encoding, so that the fuzzer starts from answers worth judging.

    tests/fuzz/make_detect_seeds.py tests/fuzz/corpus/detect
"""
import os
import struct
import sys

# Name slots as fuzz_detect.c starts them.
FLUX, WWW, NS1, NS2, ALIAS, ALLOW, DENY, EXACT_DENY, CDN_ALLOW, DEEP, \
    EXAMPLE, ROOT, N12, N13, N14, DFLUX = range(16)
A, AAAA, NS, CNAME = range(4)
ANSWER, AUTHORITY, ADDITIONAL = range(3)


def settings(min_answers=2, action=1, threshold=None):
    """min-answers 1-4, action (enum fg_action), threshold in tens."""
    b = (min_answers - 1) | (action << 2)
    if threshold is not None:
        b |= 0x80 | threshold
    return bytes([b])


def rrset(type_, section, owner, ttl, records, wrong=False):
    """One RRset: records are 4-octet addresses (A), (hi16, lo16) pairs
    (AAAA), or name slots (NS, CNAME). ttl in tens of seconds (< 240)."""
    out = bytes([type_ | section << 2 | owner << 4, ttl,
                 len(records) | (0x80 if wrong else 0)])
    for r in records:
        if (type_ in (A, AAAA)) == wrong:
            out += bytes([r])                   # a name slot
        elif type_ == A or (wrong and type_ == NS):
            out += bytes(r)                     # an IPv4 address
        else:
            out += struct.pack(">HH", *r)       # an IPv6 address, in part
    return out


def answer(dt, rrsets, query=0x00, op=0):
    """An answer dt seconds on; query 0x00 = its first answer owner,
    0xc0 | slot = that name."""
    return bytes([op]) + struct.pack(">H", dt) + bytes([len(rrsets) - 1]) + \
        b"".join(rrsets) + bytes([query])


def jump(dt_high, dt, rrsets, query=0x00):
    """An answer (dt_high << 8) + dt seconds on."""
    return bytes([3]) + struct.pack(">IH", dt_high, dt) + \
        bytes([len(rrsets) - 1]) + b"".join(rrsets) + bytes([query])


def define(slot, labels):
    return bytes([4, slot]) + b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


def operator(slot, verdict):
    """verdict: 0 allow, 1 deny, 2 unflag."""
    return bytes([5, slot, verdict])


def flux_addrs(i):
    return [(20 + 40 * j + i, 16 * j + i, i, j + 1) for j in range(5)]


def seeds():
    s = {}
    s["flux.bin"] = settings() + b"".join(
        answer(10, [rrset(A, ANSWER, FLUX, 6, flux_addrs(i))])
        for i in range(4))
    s["cdn.bin"] = settings() + b"".join(
        answer(30, [rrset(A, ANSWER, CDN_ALLOW if i == 3 else WWW, 2,
                          [(93, 184, 216, 34 + i % 2), (93, 184, 216, 35)])])
        for i in range(4))
    s["double-flux.bin"] = settings(threshold=4) + b"".join(
        answer(120, [rrset(NS, AUTHORITY, DFLUX, 240 - 1, [N14, NS1 + i % 2]),
                     rrset(A, ADDITIONAL, N14, 60, [(61, i, 1, 1), (62, i, 2, 2)]),
                     rrset(AAAA, ADDITIONAL, NS1 + i % 2, 60, [(0xdb8, i), (i, 1)]),
                     rrset(A, ANSWER, DFLUX, 12, [(77, 10 * i, 3, 3)])])
        for i in range(4))
    s["cname-alias.bin"] = s["flux.bin"] + answer(5, [
        rrset(CNAME, ANSWER, ALIAS, 30, [FLUX]),
        rrset(A, ANSWER, FLUX, 6, flux_addrs(9))], query=0xc0 | ALIAS)
    s["lists.bin"] = settings(action=2) + \
        answer(1, [rrset(A, ANSWER, ALLOW, 6, flux_addrs(1))]) + \
        answer(1, [rrset(A, ANSWER, DENY, 6, [(198, 51, 100, 1)])]) + \
        answer(1, [rrset(CNAME, ANSWER, WWW, 6, [EXACT_DENY]),
                   rrset(A, ANSWER, EXACT_DENY, 6, [(198, 51, 100, 2)])]) + \
        answer(1, [rrset(A, ANSWER, N12, 6, [(203, 0, 113, 7), (8, 8, 8, 8)])]) + \
        answer(1, [rrset(A, ANSWER, N13, 6, [(192, 0, 2, 1), (192, 0, 2, 9)])]) + \
        answer(1, [rrset(AAAA, ANSWER, N13, 6, [(0xdb8, 0xa11), (0xdead, 1)])]) + \
        answer(1, [rrset(A, ANSWER, CDN_ALLOW, 6, [(203, 0, 113, 8)])],
               query=0xc0 | DENY)
    s["operator.bin"] = settings() + s["flux.bin"][1:] + \
        operator(FLUX, 2) + answer(10, [rrset(A, ANSWER, FLUX, 6, flux_addrs(5))]) + \
        operator(FLUX, 1) + operator(ALIAS, 0) + bytes([7, 0x80 | ALIAS, FLUX]) + \
        answer(10, [rrset(CNAME, ANSWER, ALIAS, 6, [FLUX]),
                    rrset(A, ANSWER, FLUX, 6, flux_addrs(6))]) + \
        bytes([7, WWW, 90]) + bytes([6, FLUX]) + bytes([6, 0x80]) + \
        answer(10, [rrset(A, ANSWER, WWW, 6, flux_addrs(7))])
    s["names.bin"] = settings(min_answers=1) + \
        define(N12, [b"UPPER", b"dot.in", b"back\\slash", b"\xff\x00\x80"]) + \
        define(N13, [b"a" * 63, b"b" * 63, b"c" * 63, b"d" * 61]) + \
        define(N14, []) + \
        answer(1, [rrset(A, ANSWER, N12, 1, flux_addrs(2)),
                   rrset(CNAME, ANSWER, N13, 1, [N12]),
                   rrset(A, ANSWER, N14, 1, [(1, 2, 3, 4)])], query=0xc0 | N13) + \
        answer(1, [rrset(A, ANSWER, N12, 1, flux_addrs(3))])
    s["window.bin"] = settings() + \
        answer(0, [rrset(A, ANSWER, FLUX, 0xff, flux_addrs(1))]) + \
        answer(3599, [rrset(A, ANSWER, FLUX, 0, flux_addrs(2))]) + \
        answer(1, [rrset(A, ANSWER, FLUX, 6, flux_addrs(3))]) + \
        jump(0x01000000, 0, [rrset(A, ANSWER, FLUX, 6, flux_addrs(4))]) + \
        jump(0xffffffff, 0xffff, [rrset(A, ANSWER, FLUX, 6, flux_addrs(5))])
    s["bounds.bin"] = settings(min_answers=1) + answer(1, [
        rrset([A, AAAA, NS, CNAME][i % 4], i % 3, i % 16, 6,
              [((i, k, 0, 1) if i % 4 == 0 else (i, k) if i % 4 == 1 else k)
               for k in range(15)])
        for i in range(40)])
    s["wrong-kind.bin"] = settings() + answer(1, [
        rrset(A, ANSWER, FLUX, 6, [FLUX, WWW], wrong=True),
        rrset(NS, AUTHORITY, DFLUX, 6, [(1, 2, 3, 4)], wrong=True),
        rrset(CNAME, ANSWER, ALIAS, 6, [(1, 2)], wrong=True),
        rrset(A, ANSWER, WWW, 6, [])])
    s["ipv6-flux.bin"] = settings(min_answers=3, action=3) + b"".join(
        answer(20, [rrset(AAAA, ANSWER, WWW, 3,
                          [(0x100 * i + j, j) for j in range(6)])])
        for i in range(5))
    s["settings-only.bin"] = settings(min_answers=4, action=4, threshold=0)
    return s


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_detect_seeds.py DIR")
    for name, data in seeds().items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
