package dev.aegis.afs.query.local;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The time budget of one read, checked inside the work itself: the scan and match loops, the
 * local evaluator and every line a backend delivers call {@link #check()}. A read runs inside
 * FUSE's {@code open} and jnr-fuse does not report interrupted requests, so a caller that gave
 * up cannot stop it; the budget does, and the core is free again.
 *
 * <p>The deadline belongs to the thread running the read ({@link #run}); code outside a read
 * sees none and pays one thread-local lookup per check.
 */
public final class ReadDeadline {

    /** Thrown (unchecked, through RE2J and sinks) when a read is over its budget. */
    public static final class Exceeded extends RuntimeException {
        private final Duration budget;

        Exceeded(Duration budget) {
            super("the read ran longer than its budget of " + budget.toMillis() + " ms and was stopped", null, false, false);
            this.budget = budget;
        }

        public Duration budget() {
            return budget;
        }
    }

    /** A piece of work that may throw a checked exception. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    private static final ThreadLocal<ReadDeadline> CURRENT = new ThreadLocal<>();

    private final Duration budget;
    private final long endNanos;
    private final LongSupplier nanos;

    private ReadDeadline(Duration budget, LongSupplier nanos) {
        this.budget = budget;
        this.nanos = nanos;
        this.endNanos = nanos.getAsLong() + budget.toNanos();
    }

    /** Runs {@code work} with {@code budget}; a nested call keeps the outer, earlier deadline. */
    public static <T, E extends Exception> T run(Duration budget, LongSupplier nanos, Work<T, E> work) throws E {
        Objects.requireNonNull(budget, "budget is null");
        Objects.requireNonNull(nanos, "nanos is null");
        ReadDeadline outer = CURRENT.get();
        if (outer != null) {
            return work.run();
        }
        CURRENT.set(new ReadDeadline(budget, nanos));
        try {
            return work.run();
        } finally {
            CURRENT.remove();
        }
    }

    /** Throws {@link Exceeded} when the current read is over its budget. */
    public static void check() {
        ReadDeadline d = CURRENT.get();
        if (d != null && d.nanos.getAsLong() - d.endNanos > 0) {
            throw new Exceeded(d.budget);
        }
    }

    /**
     * {@code line} for a regex to search: when a read is running, a view whose {@code charAt}
     * checks the deadline every 4096 characters, so one long line cannot outlast the budget
     * inside a single RE2J call.
     */
    public static CharSequence guard(CharSequence line) {
        ReadDeadline d = CURRENT.get();
        return d == null || line.length() < 4096 ? line : new Guarded(line, d);
    }

    private static final class Guarded implements CharSequence {
        private final CharSequence line;
        private final ReadDeadline deadline;
        private int reads;

        Guarded(CharSequence line, ReadDeadline deadline) {
            this.line = line;
            this.deadline = deadline;
        }

        @Override
        public int length() {
            return line.length();
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 4095) == 0 && deadline.nanos.getAsLong() - deadline.endNanos > 0) {
                throw new Exceeded(deadline.budget);
            }
            return line.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return line.subSequence(start, end);
        }

        @Override
        public String toString() {
            return line.toString();
        }
    }
}
