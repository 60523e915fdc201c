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

    /**
     * The first index of {@code c} in {@code b[from..to)}, or -1. Tests 32 bytes per branch (four
     * words OR-ed, then the hit located word by word): about twice the throughput of one word
     * per branch, which is what a pushed-down {@code grep -c} over a large file spends its time on.
     */
    static int indexOf(byte[] b, int from, int to, byte c) {
        long pattern = (c & 0xFFL) * ONES;
        int i = from;
        for (; i + 32 <= to; i += 32) {
            long x0 = (long) LONGS.get(b, i) ^ pattern;
            long x1 = (long) LONGS.get(b, i + 8) ^ pattern;
            long x2 = (long) LONGS.get(b, i + 16) ^ pattern;
            long x3 = (long) LONGS.get(b, i + 24) ^ pattern;
            if (((((x0 - ONES) & ~x0) | ((x1 - ONES) & ~x1) | ((x2 - ONES) & ~x2) | ((x3 - ONES) & ~x3)) & HIGHS) != 0) {
                break; // a hit in these 32 bytes: the word loop below finds where
            }
        }
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
        return indexOf(b, from, to, needle, rarest(needle));
    }

    /**
     * As {@link #indexOf(byte[], int, int, byte[])}, scanning for the needle's byte at
     * {@code pivot} (best its rarest, see {@link #rarest}) and checking the rest around each hit:
     * in logs the first byte of a word is often common ('O' of OOMKilled is in every INFO).
     */
    static int indexOf(byte[] b, int from, int to, byte[] needle, int pivot) {
        int n = needle.length;
        byte key = needle[pivot];
        int last = to - n;
        int i = from + pivot;
        while (i <= last + pivot) {
            int at = indexOf(b, i, last + pivot + 1, key);
            if (at < 0) {
                return -1;
            }
            int start = at - pivot;
            int j = 0;
            while (j < n && b[start + j] == needle[j]) {
                j++;
            }
            if (j == n) {
                return start;
            }
            i = at + 1;
        }
        return -1;
    }

    /** The index of the byte of {@code needle} least likely in log text (by a fixed ranking). */
    static int rarest(byte[] needle) {
        int best = 0;
        int bestScore = -1;
        for (int k = 0; k < needle.length; k++) {
            int score = rarity(needle[k]);
            if (score > bestScore) {
                best = k;
                bestScore = score;
            }
        }
        return best;
    }

    private static final String UPPER_BY_FREQUENCY = "EIOTNARSDLCGUPMFHWBYVKXQJZ";
    private static final String LOWER_BY_FREQUENCY = "etaoinsrhdlucmfywgpbvkxqjz";

    private static int rarity(byte c) {
        if (c >= 'A' && c <= 'Z') {
            return 100 + UPPER_BY_FREQUENCY.indexOf(c);
        }
        if (c >= 'a' && c <= 'z') {
            return 20 + LOWER_BY_FREQUENCY.indexOf(c);
        }
        if (c < 0) {
            return 90; // a byte of a non-ASCII character
        }
        if ((c >= '0' && c <= '9') || " :.-/=_,[]()\t".indexOf(c) >= 0) {
            return 0;
        }
        return 80; // other punctuation
    }
}
