package dev.aegis.afs.core.traces;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.EnvSection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code traces:} section of an env:
 * <pre>{@code
 * traces:
 *   backend: zipkin-prod          # a backend of type zipkin or tempo
 *   services: [frontend, payment-api]   # optional: only these (default: every service the backend knows)
 *   window: 1h                    # optional: a listing or graph read without since=/from= covers this
 * }</pre>
 */
public final class TracesSection implements EnvSection {

    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);

    /** The backend types a traces: section may name, for messages. */
    public static final String TYPES = ZipkinBackend.TYPE + " or " + TempoBackend.TYPE;

    @Override
    public String key() {
        return "traces";
    }

    @Override
    public DirNode directory(EnvContext context, ConfigNode section) {
        TraceSettings settings = settings(section);
        TraceBackend backend = context.backend(section, TraceBackend.class, TYPES);
        return new TracesDirectory(context.treePath() + "/" + key(), backend, settings, context.clock(),
                context.captures(), context.cacheTtlMillis(backend));
    }

    /** The section's own keys, checked (also read by the harness for the service graph). */
    public static TraceSettings settings(ConfigNode section) {
        section.allowOnly(Set.of("backend", "services", "window"));
        section.require("backend");
        Optional<List<String>> services = section.get("services").map(ConfigNode::asStringList);
        Duration window = section.get("window").map(ConfigNode::asDuration).orElse(DEFAULT_WINDOW);
        if (window.isZero() || window.isNegative()) {
            throw section.require("window").error("window must be positive; write e.g. 1h");
        }
        return new TraceSettings(services, window);
    }

    /** {@code services} (empty: all Zipkin knows) and the default {@code window}. */
    public record TraceSettings(Optional<List<String>> services, Duration window) {
    }
}
