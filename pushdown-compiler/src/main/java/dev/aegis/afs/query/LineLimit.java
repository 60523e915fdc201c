package dev.aegis.afs.query;

/** Bounds the lines: the newest {@code count} (as {@code tail -n}) or the oldest (as {@code head -n}). */
public record LineLimit(End end, long count) implements Stage {

    public enum End { NEWEST, OLDEST }

    public LineLimit {
        if (end == null) {
            throw new NullPointerException("end is null");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, was " + count);
        }
    }

    public static LineLimit newest(long count) {
        return new LineLimit(End.NEWEST, count);
    }

    public static LineLimit oldest(long count) {
        return new LineLimit(End.OLDEST, count);
    }

    @Override
    public String toString() {
        return (end == End.NEWEST ? "tail" : "head") + " -n " + count;
    }
}
