package dev.aegis.afs.core.loki;

/**
 * One log entry: nanoseconds since the epoch, the labels of its stream (as Loki printed them,
 * to tell equal lines of different streams apart), and the line.
 */
record LokiEntry(long nanos, String stream, String line) {

    /** Identifies the entry among those of the same timestamp. */
    String key() {
        return stream + '\u0000' + line;
    }
}
