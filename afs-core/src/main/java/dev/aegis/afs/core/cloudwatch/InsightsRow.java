package dev.aegis.afs.core.cloudwatch;

/** One result row: epoch milliseconds, the message, and {@code @ptr} (unique per event; may be empty). */
record InsightsRow(long millis, String message, String ptr) {

    /** Identifies the row among those of the same timestamp. */
    String key() {
        return ptr.isEmpty() ? message : ptr;
    }
}
