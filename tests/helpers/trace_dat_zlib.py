#!/usr/bin/env python3
# trace_dat_zlib.py IN OUT: the uncompressed version 7 trace.dat IN (trace-cmd
# convert --compression none) written again as OUT compressed with zlib, laid
# out as trace-cmd.dat.v7(5) says and trace-cmd writes it: every section
# compressed (a compressed size, an uncompressed size, the zlib stream), the
# options too, each CPU's data a chunk count then chunks of 10 pages.  Debian's
# trace-cmd is built with zstd only, so this is how a zlib file is made here.
# Prints the offset of the first CPU's first chunk (its compressed size).
# With a third argument "aligned", as trace-cmd 3.1 writes it: the options
# uncompressed, each CPU's data at a page, and here the buffer's section
# header three bytes before a page: the bytes after it are three of padding,
# then the first CPU's chunk count.
import struct
import sys
import zlib

d = open(sys.argv[1], 'rb').read()
aligned = sys.argv[3:] == ['aligned']
if d[10:12] != b'7\0':
    sys.exit('trace_dat_zlib: %s: not a version 7 trace.dat' % sys.argv[1])
page = struct.unpack_from('<I', d, 14)[0]
p = d.index(b'\0', 18)
if d[18:p] != b'none':
    sys.exit('trace_dat_zlib: %s: already compressed' % sys.argv[1])
p = d.index(b'\0', p + 1) + 1
nxt = struct.unpack_from('<Q', d, p)[0]
out = bytearray(d[:18] + b'zlib\x001.2.13\x00' + bytes(8))
first_at = len(out) - 8


def block(data):
    z = zlib.compress(data)
    return struct.pack('<II', len(z), len(data)) + z


def section(sid, strid, body, flags=1):
    """Append a section; its offset."""
    at = len(out)
    out.extend(struct.pack('<HHIQ', sid, flags, strid, len(body)) + body)
    return at


def read_section(off):
    sid, flags, strid, size = struct.unpack_from('<HHIQ', d, off)
    assert flags & 1 == 0
    return sid, strid, d[off + 16:off + 16 + size]


options, first_chunk = [], None
while nxt:
    sid, _, body = read_section(nxt)
    assert sid == 0
    q, nxt = 0, 0
    while q + 6 <= len(body):
        oid, n = struct.unpack_from('<HI', body, q)
        data = body[q + 6:q + 6 + n]
        q += 6 + n
        if oid == 0:
            nxt = struct.unpack_from('<Q', data)[0]
            break
        if 16 <= oid <= 21:
            sid, strid, sbody = read_section(struct.unpack_from('<Q', data)[0])
            data = struct.pack('<Q', section(sid, strid, block(sbody)))
        elif oid == 3:
            # The buffer's section holds its CPUs' data, each chunked.
            boff = struct.unpack_from('<Q', data)[0]
            _, _, strid, _ = struct.unpack_from('<HHIQ', d, boff)
            r = data.index(b'\0', data.index(b'\0', 8) + 1) + 1
            _, ncpu = struct.unpack_from('<II', data, r)
            r += 8
            head, cpus = data[8:r], []
            for c in range(ncpu):
                cpu, coff, csize = struct.unpack_from('<IQQ', data, r + 20 * c)
                raw = d[coff:coff + csize]
                chunks = [block(raw[i:i + 10 * page]) for i in range(0, len(raw), 10 * page)]
                cpus.append((cpu, struct.pack('<I', len(chunks)) + b''.join(chunks)))
            if aligned:
                out.extend(bytes((page - 3 - 16 - len(out)) % page))
            at, body = len(out), bytearray()
            data = struct.pack('<Q', at) + head
            pos = at + 16
            for cpu, body2 in cpus:
                if aligned:
                    pad = bytes(-pos % page)
                    body += pad
                    pos += len(pad)
                data += struct.pack('<IQQ', cpu, pos, len(body2))
                if first_chunk is None:
                    first_chunk = pos + 4
                body += body2
                pos += len(body2)
            section(3, strid, bytes(body))
        options.append(struct.pack('<HI', oid, len(data)) + data)
options.append(struct.pack('<HIQ', 0, 8, 0))
opts = b''.join(options)
struct.pack_into('<Q', out, first_at,
                 section(0, 0, opts, 0) if aligned else section(0, 0, block(opts)))
open(sys.argv[2], 'wb').write(out)
print(first_chunk)
