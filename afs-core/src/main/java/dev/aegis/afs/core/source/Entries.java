package dev.aegis.afs.core.source;

import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.local.LineSink;
import java.time.Instant;

/**
 * Backend entries as lines. A log backend's entry (a Loki entry, a CloudWatch event) may hold
 * several lines; the local semantics are line-based like grep's, so each becomes one line with
 * the entry's time. The entry's final newline ends its last line and is not a line of its own.
 */
public final class Entries {

    private Entries() {
    }

    /** Passes {@code text} on as lines stamped {@code time}; false when the sink wants no more. */
    public static boolean emit(Instant time, String text, LineSink sink) {
        return emit(time, null, text, sink);
    }

    /** As {@link #emit(Instant, String, LineSink)}, with the labels of the entry's stream (or null). */
    public static boolean emit(Instant time, String labels, String text, LineSink sink) {
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (body.indexOf('\n') < 0) {
            return labels == null ? sink.accept(new LogLine(time, body)) : sink.accept(new LogLine(time, body), labels);
        }
        for (String line : body.split("\n", -1)) {
            LogLine each = new LogLine(time, line);
            if (!(labels == null ? sink.accept(each) : sink.accept(each, labels))) {
                return false;
            }
        }
        return true;
    }
}
