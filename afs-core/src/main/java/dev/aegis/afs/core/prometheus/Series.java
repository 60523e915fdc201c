package dev.aegis.afs.core.prometheus;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One series of a Prometheus result: its labels (sorted by name, {@code __name__} included
 * when Prometheus kept it) and its samples, oldest first.
 */
public record Series(Map<String, String> labels, List<Sample> samples) {

    /** One sample: milliseconds since the epoch, and the value exactly as Prometheus wrote it ("0.2", "NaN", "+Inf"). */
    public record Sample(long epochMillis, String value) {
        public Sample {
            Objects.requireNonNull(value, "value is null");
        }
    }

    public Series {
        labels = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(labels, "labels is null")));
        samples = List.copyOf(Objects.requireNonNull(samples, "samples is null"));
    }

    /**
     * The series as the Prometheus text format writes it, e.g.
     * {@code http_requests_total{code="200",job="api"}}: the metric name, then the other labels
     * sorted, values escaped ({@code \\}, {@code \"}, {@code \n}). A series without labels is
     * {@code {}}; one with only a name is just the name.
     */
    public String text() {
        String name = labels.getOrDefault("__name__", "");
        StringBuilder out = new StringBuilder(name);
        String sep = "{";
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey().equals("__name__")) {
                continue;
            }
            out.append(sep).append(e.getKey()).append("=\"");
            escape(e.getValue(), out);
            out.append('"');
            sep = ",";
        }
        if (!sep.equals("{")) {
            out.append('}');
        } else if (name.isEmpty()) {
            out.append("{}");
        }
        return out.toString();
    }

    private static void escape(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }
}
