#!/usr/bin/env python3
# trace_dat_odd_symbols.py IN OUT: the version 6 trace.dat IN written again as
# OUT with odd lines at the head of its printk formats and command lines: PIDs
# past LONG_MAX and INT_MAX, a negative one, a PID with no name, a name alone,
# formats with no address, no format, or one or two bytes of format.  The
# printk section takes bytes from the head of the command lines, so every
# offset after them stays where it was.  Made tests/fixtures/trace_dat/
# timerfd-odd-symbols.dat from timerfd.dat.
import struct
import sys

d = bytearray(open(sys.argv[1], 'rb').read())
if d[10:12] != b'6\0':
    sys.exit('trace_dat_odd_symbols: %s: not a version 6 trace.dat' % sys.argv[1])
p = d.index(b'\0', 10) + 1 + 2 + 4


def skip8(p):
    return p + 8 + struct.unpack_from('<Q', d, p)[0]


p = skip8(p + len(b'header_page\0'))
p = skip8(p + len(b'header_event\0'))
n = struct.unpack_from('<I', d, p)[0]
p += 4
for _ in range(n):
    p = skip8(p)
n = struct.unpack_from('<I', d, p)[0]
p += 4
for _ in range(n):
    p = d.index(b'\0', p) + 1
    m = struct.unpack_from('<I', d, p)[0]
    p += 4
    for _ in range(m):
        p = skip8(p)
p += 4 + struct.unpack_from('<I', d, p)[0]          # kallsyms
pk = p
old_pk = d[pk + 4:pk + 4 + struct.unpack_from('<I', d, pk)[0]]
cl = pk + 4 + len(old_pk)
old_cl = d[cl + 8:cl + 8 + struct.unpack_from('<Q', d, cl)[0]]
printk = b'1:\n2 : "\nzz : "abc"\n0x10 : ""\n0x20 : "ab"\n0x30\n' + bytes(old_pk)
odd = b'99999999999999999999 leak\n99999999999 int\n-1 neg\n12\n\nname only\n'
# The command lines give up len(printk) - len(old_pk) bytes from their head,
# cut at a line's end, and the odd lines; whatever is short is a line of 'x'.
take = len(printk) - len(old_pk) + len(odd)
cut = old_cl.index(b'\n', take) + 1
pad = cut - take
cmd = odd + b'x' * (pad - 1) + b'\n' + bytes(old_cl[cut:]) if pad else odd + bytes(old_cl[cut:])
out = (d[:pk] + struct.pack('<I', len(printk)) + printk + struct.pack('<Q', len(cmd)) + cmd +
       d[cl + 8 + len(old_cl):])
assert len(out) == len(d)
open(sys.argv[2], 'wb').write(out)
