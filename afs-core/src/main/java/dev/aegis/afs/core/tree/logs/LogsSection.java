package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.EnvSection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code logs:}: stream name -> {@code {backend: <name>, window: ..., max_pushdown: ..., follow: ...,
 * <backend's own keys>}}.
 * Each stream is shown as {@code logs/<stream>.log}.
 */
public final class LogsSection implements EnvSection {

    private static final Pattern STREAM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,100}");

    @Override
    public String key() {
        return "logs";
    }

    @Override
    public DirNode directory(EnvContext context, ConfigNode section) {
        if (!section.isMap()) {
            throw section.error("logs must map stream names to their sources, e.g. api: {backend: demo, path: api.log}");
        }
        List<LogStream> streams = new ArrayList<>();
        section.entries().forEach((name, streamNode) -> {
            if (!STREAM.matcher(name).matches() || name.endsWith(".log")) {
                throw streamNode.error("stream name '" + name + "' is not allowed; use letters, digits, '-', '_' or '.'"
                        + " without the .log suffix (the file is shown as <name>.log)");
            }
            if (!streamNode.isMap()) {
                throw streamNode.error("stream '" + name + "' must be a map with at least 'backend:'");
            }
            Backend backend = context.backend(streamNode);
            LogSource<?> source = backend.logStream(name,
                    streamNode.without(java.util.Set.of("window", "max_pushdown", "follow")));
            streams.add(new LogStream(name, source, Window.parse(streamNode.get("window")),
                    context.cacheTtlMillis(backend), MaxPushdown.parse(streamNode.get("max_pushdown")),
                    FollowSettings.parse(streamNode.get("follow"),
                            source instanceof dev.aegis.afs.core.source.FollowableSource f && f.local())));
        });
        return new LogsDir(context.treePath() + "/logs", streams, context.captures(), context.clock(),
                context.plainTools());
    }
}
