package dev.aegis.afs.core.traces;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A trace as text: a header line, then one line per span, children indented two spaces under
 * their parent, ordered by start time:
 * <pre>
 * trace 00000000000000a1 start 2026-11-21T10:00:00.000000Z duration 150.000ms spans 3 error
 * frontend get /pay [SERVER] +0.000ms 150.000ms error=boom http.status_code=500
 *   frontend charge [CLIENT] +1.000ms 100.000ms -> payment-api
 *     payment-api charge [SERVER] +2.000ms 90.000ms
 * </pre>
 * A span whose parent is not in the trace is shown at the top level. Zipkin shares a span id
 * between a client and its server half: the server half (marked shared) hangs under the client.
 */
final class SpanTree {

    private SpanTree() {
    }

    static List<String> lines(List<Span> spans) {
        List<String> out = new ArrayList<>();
        if (spans.isEmpty()) {
            return out;
        }
        TraceSummary summary = TraceSummary.of(spans);
        out.add("trace " + summary.traceId() + " start " + summary.line().substring(0, summary.line().indexOf(' '))
                + " duration " + TraceSummary.millis(summary.durationMicros()) + " spans " + summary.spans()
                + (summary.error() ? " error" : " ok"));
        long start = spans.stream().mapToLong(Span::timestampMicros).min().orElseThrow();
        List<Span> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingLong(Span::timestampMicros).thenComparing(Span::id));
        // A span's node key: its id, or for the server half of a shared span, id + "/server".
        Map<Span, String> keys = new LinkedHashMap<>();
        Set<String> clientIds = new HashSet<>();
        for (Span s : sorted) {
            if (!s.kind().equals("SERVER")) {
                clientIds.add(s.id());
            }
        }
        Map<String, List<Span>> children = new HashMap<>();
        List<Span> roots = new ArrayList<>();
        Set<String> ids = sorted.stream().map(Span::id).collect(Collectors.toSet());
        Map<String, String> serverHalfService = new HashMap<>();
        for (Span s : sorted) {
            if (s.kind().equals("SERVER") && clientIds.contains(s.id())) {
                serverHalfService.put(s.id(), s.service());
            }
        }
        for (Span s : sorted) {
            boolean sharedServer = s.kind().equals("SERVER") && clientIds.contains(s.id());
            String key = sharedServer ? s.id() + "/server" : s.id();
            keys.put(s, key);
            String parent = sharedServer ? s.id() : s.parentId().filter(ids::contains).orElse(null);
            if (!sharedServer && parent != null && s.service().equals(serverHalfService.get(parent))) {
                parent = parent + "/server"; // called from the server half, in the callee's process
            }
            if (parent == null) {
                roots.add(s);
            } else {
                children.computeIfAbsent(parent, k -> new ArrayList<>()).add(s);
            }
        }
        for (Span root : roots) {
            walk(root, 0, start, keys, children, out, new HashSet<>());
        }
        return out;
    }

    private static void walk(Span s, int depth, long start, Map<Span, String> keys, Map<String, List<Span>> children,
                             List<String> out, Set<String> seen) {
        String key = keys.get(s);
        if (!seen.add(key)) {
            return; // a cycle in bad data: show each span once
        }
        StringBuilder line = new StringBuilder("  ".repeat(depth));
        line.append(s.service().isEmpty() ? "?" : s.service()).append(' ').append(s.name());
        if (!s.kind().isEmpty()) {
            line.append(" [").append(s.kind()).append(']');
        }
        line.append(" +").append(TraceSummary.millis(s.timestampMicros() - start)).append(' ')
                .append(TraceSummary.millis(s.durationMicros()));
        s.remoteService().ifPresent(r -> line.append(" -> ").append(r));
        s.tags().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(t -> line.append(' ').append(t.getKey()).append('=').append(t.getValue()));
        out.add(line.toString());
        List<Span> kids = children.getOrDefault(key, List.of());
        for (Span child : kids) {
            walk(child, depth + 1, start, keys, children, out, seen);
        }
    }
}
