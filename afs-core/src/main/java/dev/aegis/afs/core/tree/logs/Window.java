package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.config.ConfigNode;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The default window of a stream: what a read gets when it does not bound itself. A read with
 * no limit gets at most {@code lines} (the newest); a read with no time range gets the last
 * {@code since}. Written {@code window: {lines: 10000, since: 15m}} or {@code window: none}.
 */
public record Window(long lines, Optional<Duration> since) {

    public static final Window DEFAULT = new Window(10_000, Optional.empty());
    public static final Window NONE = new Window(0, Optional.empty());

    public static Window parse(Optional<ConfigNode> node) {
        if (node.isEmpty()) {
            return DEFAULT;
        }
        ConfigNode n = node.get();
        if (n.kind() == ConfigNode.Kind.SCALAR) {
            if (n.asString().equals("none")) {
                return NONE;
            }
            throw n.error("window must be 'none' or a map like {lines: 10000, since: 15m}");
        }
        n.allowOnly(Set.of("lines", "since"));
        long lines = n.get("lines").map(l -> l.asLong(0, 10_000_000)).orElse(0L);
        return new Window(lines, n.get("since").map(ConfigNode::asDuration));
    }

    @Override
    public String toString() {
        if (lines == 0 && since.isEmpty()) {
            return "none";
        }
        String l = lines > 0 ? "newest " + lines + " lines" : "";
        String s = since.map(d -> "last " + d.toString().substring(2).toLowerCase()).orElse("");
        return l.isEmpty() ? s : s.isEmpty() ? l : l + ", " + s;
    }
}
