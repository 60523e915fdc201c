package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathQueryParser;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /teams/<team>/<env>/logs}: one {@code <stream>.log} per configured stream. A lookup of
 * {@code <stream>.log?<terms>} compiles the terms (a malformed query fails the lookup with
 * INVALID_QUERY, so the shell user sees EINVAL at once) and yields a live file for that read;
 * the term {@code follow=1} makes it a follow (see {@link StreamFile}).
 */
public final class LogsDir implements DirNode {

    public static final String SUFFIX = ".log";

    /** The capture stat with the number of lines a pipeline's last grep selected (its exit status). */
    public static final String GREP_SELECTED_STAT = "grep.selected";

    private final String treePath;
    private final Map<String, LogStream> streams;
    private final Captures captures;
    private final Clock clock;
    private final PlainTools tools;
    private final Map<String, StreamState> states = new LinkedHashMap<>();

    /** A stream with its shared follower (started by the first follow). */
    static final class StreamState {
        private final LogStream stream;
        private final Clock clock;
        private StreamFollower follower;

        StreamState(LogStream stream, Clock clock) {
            this.stream = stream;
            this.clock = clock;
        }

        LogStream stream() {
            return stream;
        }

        MaxPushdown maxPushdown() {
            return stream.maxPushdown();
        }

        synchronized StreamFollower follower() {
            if (follower == null) {
                follower = new StreamFollower(stream, stream.follow(), clock);
            }
            return follower;
        }
    }

    LogsDir(String treePath, List<LogStream> streams, Captures captures, Clock clock, PlainTools tools) {
        this.treePath = treePath;
        Map<String, LogStream> byFile = new LinkedHashMap<>();
        for (LogStream s : streams) {
            byFile.put(s.name() + SUFFIX, s);
            states.put(s.name() + SUFFIX, new StreamState(s, clock));
        }
        this.streams = byFile;
        this.captures = captures;
        this.clock = clock;
        this.tools = tools;
    }

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        Instant newest = streams.values().stream().map(s -> s.source().lastModified())
                .max(Instant::compareTo).orElse(Instant.EPOCH);
        return NodeAttributes.dir(newest, 0);
    }

    @Override
    public List<Node> list(Caller caller) {
        List<Node> out = new ArrayList<>();
        for (Map.Entry<String, LogStream> e : streams.entrySet()) {
            out.add(file(e.getKey(), e.getValue(), LineShape.DEFAULT, () -> LogQuery.ALL));
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        int mark = name.indexOf('?');
        String base = mark < 0 ? name : name.substring(0, mark);
        LogStream stream = stream(base);
        if (mark < 0) {
            return streamFile(name, base, stream, LineShape.DEFAULT, true, false, () -> LogQuery.ALL);
        }
        String text = name.substring(mark + 1);
        List<String> terms = new ArrayList<>();
        boolean follow = false;
        for (String term : text.split("&", -1)) {
            if (term.startsWith("follow=")) {
                follow = switch (term.substring("follow=".length())) {
                    case "1", "true" -> true;
                    case "0", "false" -> false;
                    default -> throw new AfsException(AfsError.INVALID_QUERY, treePath + "/" + name + ": follow="
                            + term.substring("follow=".length()) + " is not allowed; write follow=1");
                };
            } else {
                terms.add(term);
            }
        }
        if (terms.isEmpty()) {
            return streamFile(name, base, stream, LineShape.DEFAULT, false, follow, () -> LogQuery.ALL);
        }
        PathQuery query = parse(base, String.join("&", terms));
        compile(base, query); // fail the lookup now; the read compiles again against its own clock
        return streamFile(name, base, stream, LineShape.of(query), false, follow,
                () -> LogQueryCompiler.compile(query, clock));
    }

    private LiveFile streamFile(String name, String base, LogStream stream, LineShape shape, boolean plain,
                                boolean follow, Supplier<LogQuery> plan) {
        return new LiveFile(name, treePath + "/" + name, stream.source()::lastModified, stream.cacheTtlMillis(),
                captures, new LogRead(stream, plan, shape, clock),
                new StreamFile(treePath + "/" + base, plain, follow, plan, shape, states.get(base), tools, captures,
                        clock));
    }

    /**
     * A live file for a shell-form read: the path's own terms, then the pipeline's stages.
     *
     * @param label what the evidence records as the source, e.g. the shell script
     */
    public LiveFile shellFile(String name, LogQuery pipeline, String label) throws AfsException {
        int mark = name.indexOf('?');
        String base = mark < 0 ? name : name.substring(0, mark);
        LogStream stream = stream(base);
        PathQuery terms = mark < 0 ? PathQuery.EMPTY : parse(base, name.substring(mark + 1));
        compile(base, terms);
        Supplier<LogQuery> plan = () -> {
            LogQuery path = LogQueryCompiler.compile(terms, clock);
            List<Stage> stages = new ArrayList<>(path.stages());
            stages.addAll(pipeline.stages());
            return new LogQuery(pipeline.range().isAll() ? path.range() : pipeline.range(), stages);
        };
        return new LiveFile(name, label, stream.source()::lastModified, stream.cacheTtlMillis(), captures,
                new LogRead(stream, plan, LineShape.of(terms), clock));
    }

    private LiveFile file(String name, LogStream stream, LineShape shape, Supplier<LogQuery> plan) {
        String path = treePath + "/" + name;
        return new LiveFile(name, path, stream.source()::lastModified, stream.cacheTtlMillis(), captures,
                new LogRead(stream, plan, shape, clock));
    }

    private LogStream stream(String base) throws AfsException {
        LogStream stream = streams.get(base);
        if (stream == null) {
            throw new AfsException(AfsError.NOT_FOUND, treePath + "/" + base + ": no such stream; configured: "
                    + String.join(" ", streams.keySet()));
        }
        return stream;
    }

    private PathQuery parse(String base, String text) throws AfsException {
        try {
            return PathQueryParser.parse(text);
        } catch (QuerySyntaxException e) {
            throw invalid(base, text, e);
        }
    }

    private void compile(String base, PathQuery query) throws AfsException {
        try {
            LogQueryCompiler.compile(query, clock);
        } catch (QuerySyntaxException e) {
            throw invalid(base, query.text(), e);
        }
    }

    private AfsException invalid(String base, String text, QuerySyntaxException e) {
        return new AfsException(AfsError.INVALID_QUERY, treePath + "/" + base + "?" + text + ": " + e.getMessage(), e);
    }
}
