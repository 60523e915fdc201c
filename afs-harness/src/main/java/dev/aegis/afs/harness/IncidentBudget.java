package dev.aegis.afs.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.config.ConfigNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an incident may use before a human must look: reads (registered captures tagged with
 * it), bytes read, backend API calls (captures a live backend served), change requests, and the
 * tokens its agents report. The same record holds caps and usage.
 */
public record IncidentBudget(long reads, long bytes, long apiCalls, long changeRequests, long tokens) {

    /** The kinds, in the order the budget file lists them, as the context and the metrics name them. */
    public static final List<String> KINDS = List.of("reads", "bytes", "api_calls", "change_requests", "tokens");

    public static final IncidentBudget DEFAULT_CAPS = new IncidentBudget(500, 256L << 20, 1000, 10, 1_000_000);
    public static final IncidentBudget NONE = new IncidentBudget(0, 0, 0, 0, 0);

    public IncidentBudget {
        for (long v : new long[] {reads, bytes, apiCalls, changeRequests, tokens}) {
            if (v < 0) {
                throw new IllegalArgumentException("a budget amount cannot be negative: " + v);
            }
        }
    }

    public long get(String kind) {
        return switch (kind) {
            case "reads" -> reads;
            case "bytes" -> bytes;
            case "api_calls" -> apiCalls;
            case "change_requests" -> changeRequests;
            case "tokens" -> tokens;
            default -> throw new IllegalArgumentException("unknown budget kind '" + kind + "'; one of " + KINDS);
        };
    }

    static IncidentBudget of(Map<String, Long> amounts) {
        return new IncidentBudget(amounts.getOrDefault("reads", 0L), amounts.getOrDefault("bytes", 0L),
                amounts.getOrDefault("api_calls", 0L), amounts.getOrDefault("change_requests", 0L),
                amounts.getOrDefault("tokens", 0L));
    }

    /** {@code budget: {reads: 200, change_requests: 3}} over {@code defaults}: keys not named keep the default. */
    static IncidentBudget parse(ConfigNode n, IncidentBudget defaults) {
        if (!n.isMap()) {
            throw n.error("budget: is a map of caps, e.g. {reads: 200, bytes: 52428800, api_calls: 500, change_requests: 3,"
                    + " tokens: 200000}");
        }
        n.allowOnly(Set.copyOf(KINDS));
        Map<String, Long> out = new LinkedHashMap<>();
        for (String k : KINDS) {
            out.put(k, n.get(k).map(v -> v.asLong(1, Long.MAX_VALUE)).orElse(defaults.get(k)));
        }
        return of(out);
    }

    ObjectNode json() {
        ObjectNode o = Ledger.JSON.createObjectNode();
        KINDS.forEach(k -> o.put(k, get(k)));
        return o;
    }

    static IncidentBudget fromJson(JsonNode n) {
        Map<String, Long> out = new LinkedHashMap<>();
        KINDS.forEach(k -> out.put(k, n.path(k).asLong(0)));
        return of(out);
    }

    /** The first kind of {@code used} above these caps, with how much: what stops the next change. */
    Optional<String> exceeded(IncidentBudget used) {
        for (String k : KINDS) {
            if (used.get(k) > get(k)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The {@code /incidents/<id>/budget} file: one line per kind, used of cap, and what is over. */
    static String text(String incident, IncidentBudget used, IncidentBudget caps) {
        StringBuilder b = new StringBuilder("incident " + incident + " budget (used / cap)\n");
        for (String k : KINDS) {
            long u = used.get(k);
            long c = caps.get(k);
            b.append(String.format("%-16s %d / %d%s%n", k, u, c, u > c ? "  OVER: the next change request is refused"
                    : u == c && k.equals("change_requests") ? "  (at the cap: no further change request)" : ""));
        }
        return b.toString();
    }
}
