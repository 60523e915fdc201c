package dev.aegis.afs.core.traces;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One trace in a listing: its root, its start, how long it took, its spans and services, and
 * whether any span failed. {@link #line()} is how {@code traces.log} shows it.
 */
public record TraceSummary(String traceId, Instant start, long durationMicros, int spans, List<String> services,
                           boolean error, String rootService, String rootName) {

    public TraceSummary {
        Objects.requireNonNull(traceId, "traceId is null");
        Objects.requireNonNull(start, "start is null");
        services = List.copyOf(services);
        Objects.requireNonNull(rootService, "rootService is null");
        Objects.requireNonNull(rootName, "rootName is null");
    }

    /** The summary of a trace's spans; the root is the span without a parent (else the earliest). */
    public static TraceSummary of(List<Span> spans) {
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("a trace has at least one span");
        }
        Span root = spans.stream().filter(s -> s.parentId().isEmpty()).min(Comparator.comparingLong(Span::timestampMicros))
                .orElseGet(() -> spans.stream().min(Comparator.comparingLong(Span::timestampMicros)).orElseThrow());
        long start = spans.stream().mapToLong(Span::timestampMicros).min().orElseThrow();
        long end = spans.stream().mapToLong(s -> s.timestampMicros() + s.durationMicros()).max().orElseThrow();
        TreeSet<String> services = new TreeSet<>();
        spans.forEach(s -> {
            if (!s.service().isEmpty()) {
                services.add(s.service());
            }
        });
        return new TraceSummary(root.traceId(), micros(start), end - start, spans.size(), List.copyOf(services),
                spans.stream().anyMatch(Span::error), root.service(), root.name());
    }

    private static final java.time.format.DateTimeFormatter STAMP =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    static Instant micros(long epochMicros) {
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000), Math.floorMod(epochMicros, 1_000_000) * 1000L);
    }

    /**
     * {@code <start> <traceId> <duration> <ok|error> spans=<n> services=<a,b> <root service> <root name>},
     * e.g. {@code 2026-11-21T10:00:00.000000Z 4bf92f3577b34da6 150.000ms error spans=3 services=frontend,payment-api frontend get /pay}.
     */
    public String line() {
        return STAMP.format(start) + " " + traceId + " " + millis(durationMicros) + " " + (error ? "error" : "ok") + " spans=" + spans
                + " services=" + String.join(",", services) + " " + rootService + " " + rootName;
    }

    /** Microseconds as milliseconds with three decimals, e.g. {@code 150.000ms}. */
    static String millis(long micros) {
        return String.format(Locale.ROOT, "%d.%03dms", micros / 1000, Math.abs(micros % 1000));
    }
}
