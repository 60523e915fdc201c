package dev.aegis.afs.core.file;

/**
 * How a raw line maps to the served line and where its timestamp is (option {@code format}).
 *
 * <p>{@code plain}: the served line is the raw line; the timestamp is read at its start.
 *
 * <p>{@code cri}: kubelet's container log format, {@code <time> <stdout|stderr> <P|F> <message>}.
 * The served line is the message only (what {@code kubectl logs} shows), and the timestamp is
 * the CRI time. A partial chunk ({@code P}, written by the runtime for lines over 16 KiB) is
 * served as its own line; chunks are not joined. A raw line that does not have the CRI shape is
 * served whole and has no timestamp of its own.
 */
enum LineFormat {
    PLAIN,
    CRI;

    /**
     * Splits {@code b[start..end)}: returns the start of the served text, or {@code -1} when
     * the raw line (plain, or a CRI line of the wrong shape) is served whole.
     */
    int messageStart(byte[] b, int start, int end) {
        if (this == PLAIN) {
            return -1;
        }
        int first = indexOf(b, start, end, (byte) ' ');
        if (first < 0) {
            return -1;
        }
        int second = indexOf(b, first + 1, end, (byte) ' ');
        if (second < 0) {
            return -1;
        }
        int tagStart = second + 1;
        if (tagStart >= end || (b[tagStart] != 'P' && b[tagStart] != 'F')) {
            return -1;
        }
        if (tagStart + 1 == end) {
            return end; // empty message
        }
        if (b[tagStart + 1] != ' ') {
            return -1;
        }
        return tagStart + 2;
    }

    private static int indexOf(byte[] b, int from, int end, byte c) {
        for (int i = from; i < end; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
