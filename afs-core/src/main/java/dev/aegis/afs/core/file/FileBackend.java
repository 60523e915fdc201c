package dev.aegis.afs.core.file;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.LogSource;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** A configured file backend: serves log streams from files under {@link #root}. */
final class FileBackend implements Backend {

    private static final Set<String> STREAM_KEYS = Set.of("backend", "window", "path", "timestamp", "format");

    private final String name;
    private final Path root;

    FileBackend(String name, Path root) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.root = Objects.requireNonNull(root, "root is null");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "file";
    }

    Path root() {
        return root;
    }

    @Override
    public LogSource<?> logStream(String stream, ConfigNode config) {
        config.allowOnly(STREAM_KEYS);
        ConfigNode pathNode = config.require("path");
        StreamLayout layout;
        try {
            layout = StreamLayout.of(root, pathNode.asString());
            layout.checkConfined();
        } catch (IllegalArgumentException e) {
            throw pathNode.error(e.getMessage());
        }
        return new FileLogSource(name, root, layout, format(config), timestamps(config));
    }

    private static LineFormat format(ConfigNode config) {
        return config.get("format").map(node -> switch (node.asString().strip().toLowerCase(Locale.ROOT)) {
            case "plain" -> LineFormat.PLAIN;
            case "cri" -> LineFormat.CRI;
            default -> throw node.error("unknown format '" + node.asString() + "'; use plain (one log line per"
                    + " line) or cri (kubelet's /var/log/pods format)");
        }).orElse(LineFormat.PLAIN);
    }

    private static TimestampFormat timestamps(ConfigNode config) {
        return config.get("timestamp").map(node -> {
            String value = node.asString().strip();
            if (value.equalsIgnoreCase("rfc3339")) {
                return (TimestampFormat) Rfc3339.INSTANCE;
            }
            if (value.equalsIgnoreCase("none")) {
                return TimestampFormat.NONE;
            }
            try {
                DateTimeFormatter.ofPattern(value);
            } catch (IllegalArgumentException e) {
                throw node.error("timestamp '" + value + "' is not a valid pattern: " + e.getMessage()
                        + "; use rfc3339, none, or a java DateTimeFormatter pattern such as 'yyyy-MM-dd HH:mm:ss,SSS'");
            }
            if (!TimestampFormat.resolvesInstant(value)) {
                throw node.error("timestamp pattern '" + value + "' does not give a full date and time; include"
                        + " the year, month, day, hour and minute, e.g. 'yyyy-MM-dd HH:mm:ss'");
            }
            return TimestampFormat.pattern(value);
        }).orElse(Rfc3339.INSTANCE);
    }

    @Override
    public String toString() {
        return "file:" + name + " (" + root + ")";
    }
}
