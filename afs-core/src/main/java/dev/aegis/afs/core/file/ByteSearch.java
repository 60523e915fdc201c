package dev.aegis.afs.core.file;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Byte searches over raw buffers, eight bytes at a time (SWAR), for newlines and literal needles. */
final class ByteSearch {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private ByteSearch() {
    }

    /** The first index of {@code c} in {@code b[from..to)}, or -1. */
    static int indexOf(byte[] b, int from, int to, byte c) {
        long pattern = (c & 0xFFL) * ONES;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ pattern;
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** The last index of {@code c} in {@code b[from..to)}, or -1. */
    static int lastIndexOf(byte[] b, int from, int to, byte c) {
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** The first index of {@code needle} (non-empty) in {@code b[from..to)}, or -1. */
    static int indexOf(byte[] b, int from, int to, byte[] needle) {
        int n = needle.length;
        byte first = needle[0];
        int last = to - n;
        int i = from;
        while (i <= last) {
            int at = indexOf(b, i, last + 1, first);
            if (at < 0) {
                return -1;
            }
            int j = 1;
            while (j < n && b[at + j] == needle[j]) {
                j++;
            }
            if (j == n) {
                return at;
            }
            i = at + 1;
        }
        return -1;
    }
}
