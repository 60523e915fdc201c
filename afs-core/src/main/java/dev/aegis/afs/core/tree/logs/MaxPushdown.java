package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.config.ConfigNode;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * How far a plain tool's read may go beyond the default window ({@code max_pushdown:} of a
 * stream): a command line is caller-controlled, and some backends charge per byte scanned. A
 * result over {@code lines} or {@code bytes} falls back to the default window, flagged truncated;
 * {@code since} bounds the time range read (the stream's whole lookback when absent).
 */
public record MaxPushdown(long lines, long bytes, Optional<Duration> since) {

    public static final MaxPushdown DEFAULT = new MaxPushdown(2_000_000, 256L << 20, Optional.empty());

    public static MaxPushdown parse(Optional<ConfigNode> node) {
        if (node.isEmpty()) {
            return DEFAULT;
        }
        ConfigNode n = node.get();
        if (!n.isMap()) {
            throw n.error("max_pushdown must be a map like {lines: 2000000, bytes: 268435456, since: 24h}");
        }
        n.allowOnly(Set.of("lines", "bytes", "since"));
        return new MaxPushdown(n.get("lines").map(l -> l.asLong(0, Long.MAX_VALUE)).orElse(DEFAULT.lines()),
                n.get("bytes").map(b -> b.asLong(0, Long.MAX_VALUE)).orElse(DEFAULT.bytes()),
                n.get("since").map(ConfigNode::asDuration));
    }

    @Override
    public String toString() {
        return lines + " lines, " + bytes + " bytes" + since.map(d -> ", last " + d.toString().substring(2).toLowerCase())
                .orElse("");
    }
}
