package dev.aegis.afs.core.source;

import dev.aegis.afs.core.config.ConfigNode;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How lines of a stream whose backend keeps the time outside the line (Loki, CloudWatch,
 * Kubernetes) are served: {@code prefix} starts each with its RFC 3339 UTC time, as
 * {@code logcli} and {@code kubectl logs --timestamps} print them; {@code none} serves the bare
 * message; {@code auto} (the default) looks at the first lines of the stream's first read and
 * prefixes unless they already start with a time of their own; that decision holds for the
 * stream from then on. Decided per stream, never per line, so
 * every line of one read has the same shape.
 */
public enum TimestampMode {
    PREFIX, NONE, AUTO;

    /** The key in a stream's section of namespaces.yaml. */
    public static final String KEY = "timestamp";

    /**
     * A line that already says when it happened: an ISO/RFC 3339 date-time (optionally in
     * brackets or quotes), a syslog {@code Dec  2 02:54:50}, a klog {@code I1202 02:54:50.123},
     * or a JSON object that starts with a time field.
     */
    private static final Pattern OWN_TIME = Pattern.compile(
            "^[\\[\"']?\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}"
                    + "|^[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}"
                    + "|^[IWEF]\\d{4} \\d{2}:\\d{2}:\\d{2}"
                    + "|^\\{\\s*\"(?:ts|time|timestamp|@timestamp)\"\\s*:");

    public static TimestampMode parse(Optional<ConfigNode> node, TimestampMode otherwise) {
        if (node.isEmpty()) {
            return otherwise;
        }
        return switch (node.get().asString()) {
            case "prefix" -> PREFIX;
            case "none" -> NONE;
            case "auto" -> AUTO;
            default -> throw node.get().error("timestamp: '" + node.get().asString()
                    + "' is not a mode; write prefix (start each line with its time), none (bare lines) or auto"
                    + " (prefix unless the lines carry their own time)");
        };
    }

    /** What {@code auto} decides from the stream's first non-empty lines (empty: prefix). */
    public static TimestampMode detect(List<String> firstLines) {
        List<String> lines = firstLines.stream().filter(l -> !l.isBlank()).toList();
        if (!lines.isEmpty() && lines.stream().allMatch(l -> OWN_TIME.matcher(l).find())) {
            return NONE;
        }
        return PREFIX;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
