package dev.aegis.afs.core.file;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Splits a byte stream into lines on {@code '\n'} without copying them, on bounded memory.
 * A final line without a newline is still a line (as in tail, head and grep). A line longer
 * than {@link #MAX_LINE} bytes is cut to its first {@code MAX_LINE} bytes and the rest of it is
 * skipped; {@link #cutLines()} counts those so the fetch can say so.
 */
final class LineReader {

    /** Longest line kept, in bytes. */
    static final int MAX_LINE = 1 << 20;

    private final InputStream in;
    private final int maxLine;
    private byte[] buf;
    private int pos;
    private int lim;
    private long bufOffset;
    private boolean eof;
    private byte[] longLine;
    private long cutLines;

    private byte[] lineBytes;
    private int lineStart;
    private int lineEnd;
    private long lineOffset;

    /**
     * @param in         the bytes, starting at a line start
     * @param baseOffset the position of the first byte of {@code in} in its file
     */
    LineReader(InputStream in, long baseOffset, int bufferSize) {
        this(in, baseOffset, bufferSize, MAX_LINE);
    }

    LineReader(InputStream in, long baseOffset, int bufferSize, int maxLine) {
        this.in = Objects.requireNonNull(in, "in is null");
        this.bufOffset = baseOffset;
        this.maxLine = maxLine;
        this.buf = new byte[Math.min(bufferSize, maxLine + 1)];
    }

    /** Advances to the next line; false at the end of the input. */
    boolean next() throws IOException {
        while (true) {
            int nl = indexOfNewline(buf, pos, lim);
            if (nl >= 0) {
                setLine(buf, pos, nl, bufOffset + pos);
                pos = nl + 1;
                return true;
            }
            if (eof) {
                if (pos < lim) {
                    setLine(buf, pos, lim, bufOffset + pos);
                    pos = lim;
                    return true;
                }
                return false;
            }
            if (lim - pos > maxLine) {
                cutLongLine();
                return true;
            }
            fill();
        }
    }

    byte[] bytes() {
        return lineBytes;
    }

    int start() {
        return lineStart;
    }

    int end() {
        return lineEnd;
    }

    /** Position of the current line's first byte in the file. */
    long offset() {
        return lineOffset;
    }

    /** Position in the file just after what has been consumed (the start of the next line). */
    long position() {
        return bufOffset + pos;
    }

    long cutLines() {
        return cutLines;
    }

    private void setLine(byte[] b, int s, int e, long offset) {
        lineBytes = b;
        lineStart = s;
        lineEnd = e;
        lineOffset = offset;
    }

    /** Keeps the first maxLine bytes of the current line and skips the rest of it. */
    private void cutLongLine() throws IOException {
        if (longLine == null) {
            longLine = new byte[maxLine];
        }
        System.arraycopy(buf, pos, longLine, 0, maxLine);
        long offset = bufOffset + pos;
        cutLines++;
        pos = lim;
        while (true) {
            int nl = indexOfNewline(buf, pos, lim);
            if (nl >= 0) {
                pos = nl + 1;
                break;
            }
            pos = lim;
            if (eof) {
                break;
            }
            fill();
        }
        setLine(longLine, 0, maxLine, offset);
    }

    /** Moves the unconsumed bytes to the front, grows the buffer if it is full, and reads more. */
    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            bufOffset += pos;
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            byte[] bigger = new byte[(int) Math.min((long) buf.length * 2, maxLine + 1L)];
            System.arraycopy(buf, 0, bigger, 0, lim);
            buf = bigger;
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            eof = true;
        } else {
            lim += n;
        }
    }

    private static int indexOfNewline(byte[] b, int from, int to) {
        return ByteSearch.indexOf(b, from, to, (byte) '\n');
    }

    /** Told about whole lines that {@link #nextContaining} skips, before their bytes are dropped. */
    interface SkipListener {
        /** {@code b[from..to)} holds whole lines (each ending in a newline, except at the end of input). */
        void skipped(byte[] b, int from, int to);
    }

    /**
     * Advances to the next line that contains {@code needle} (non-empty, without newlines) in
     * its first {@link #MAX_LINE} bytes, as repeated {@link #next} calls would, but searches the
     * buffer for the needle rather than splitting every line. Lines passed over are reported to
     * {@code skipped}; false at the end of the input.
     */
    boolean nextContaining(byte[] needle, SkipListener skipped) throws IOException {
        while (true) {
            int hit = ByteSearch.indexOf(buf, pos, lim, needle);
            if (hit >= 0) {
                int lineStart = ByteSearch.lastIndexOf(buf, pos, hit, (byte) '\n') + 1;
                if (lineStart == 0) {
                    lineStart = pos;
                }
                if (lineStart > pos) {
                    skipped.skipped(buf, pos, lineStart);
                    pos = lineStart;
                }
                int nl = indexOfNewline(buf, hit + needle.length, lim);
                if (nl >= 0 || eof) {
                    int end = nl >= 0 ? nl : lim;
                    setLine(buf, pos, end, bufOffset + pos);
                    pos = nl >= 0 ? nl + 1 : lim;
                    return true;
                }
            } else {
                if (eof) {
                    if (pos < lim) {
                        skipped.skipped(buf, pos, lim);
                        pos = lim;
                    }
                    return false;
                }
                int lastNl = ByteSearch.lastIndexOf(buf, pos, lim, (byte) '\n');
                if (lastNl >= 0) {
                    skipped.skipped(buf, pos, lastNl + 1);
                    pos = lastNl + 1;
                }
            }
            // The line at pos is incomplete: read more, or cut it when it is too long.
            if (lim - pos > maxLine) {
                cutLongLine();
                if (ByteSearch.indexOf(lineBytes, lineStart, lineEnd, needle) >= 0) {
                    return true;
                }
                skipped.skipped(lineBytes, lineStart, lineEnd);
                continue;
            }
            fill();
        }
    }
}
