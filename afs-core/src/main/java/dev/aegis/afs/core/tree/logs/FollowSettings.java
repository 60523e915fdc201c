package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.config.ConfigNode;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * How a stream is followed ({@code follow:} of a stream): how often the source is polled, how
 * long new lines wait before they are recorded as an evidence segment and served, and how many
 * lines one follower holds at most (more are recorded at once).
 */
public record FollowSettings(Duration poll, Duration flush, int maxLines) {

    public static FollowSettings parse(Optional<ConfigNode> node, boolean local) {
        Duration poll = local ? Duration.ofMillis(100) : Duration.ofSeconds(1);
        FollowSettings defaults = new FollowSettings(poll, Duration.ofMillis(100), 10_000);
        if (node.isEmpty()) {
            return defaults;
        }
        ConfigNode n = node.get();
        if (!n.isMap()) {
            throw n.error("follow must be a map like {poll: 1s, flush: 100ms, max_lines: 10000}");
        }
        n.allowOnly(Set.of("poll", "flush", "max_lines"));
        FollowSettings s = new FollowSettings(n.get("poll").map(ConfigNode::asDuration).orElse(defaults.poll()),
                n.get("flush").map(ConfigNode::asDuration).orElse(defaults.flush()),
                n.get("max_lines").map(l -> (int) l.asLong(1, 1_000_000)).orElse(defaults.maxLines()));
        if (s.poll().isZero() || s.poll().isNegative()) {
            throw n.require("poll").error("poll must be longer than 0; write e.g. 1s");
        }
        return s;
    }
}
