package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.OpenFile;
import dev.aegis.afs.core.tree.SnapshotFile;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.shell.ToolCommand;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How {@code logs/<stream>.log} (with or without terms, a {@link LiveFile}) is opened, knowing
 * the plain tools and follows. Opened by a plain grep, tail or head that {@link PlainTools}
 * recognises, it serves that tool's read over the whole lookback ({@link PushedRead}); opened
 * with {@code ?follow=1} or by {@code tail -f}, it serves a {@link FollowFile}; otherwise it is
 * the live file's snapshot of the default window.
 */
final class StreamFile implements LiveFile.Opening {

    private final String basePath;
    private final boolean plain;
    private final boolean follow;
    private final Supplier<LogQuery> plan;
    private final LineShape shape;
    private final LogsDir.StreamState state;
    private final PlainTools tools;
    private final Captures captures;
    private final Clock clock;

    /**
     * @param basePath the tree path without terms, e.g. /teams/p/prod/logs/api.log
     * @param plain    opened without terms: a plain tool may be pushed down
     * @param follow   opened with ?follow=1
     * @param plan     the read's plan without follow (for the filters a follow applies)
     * @param shape    raw=1 / labels=1 of the read, for the lines a follow serves
     */
    StreamFile(String basePath, boolean plain, boolean follow, Supplier<LogQuery> plan, LineShape shape,
               LogsDir.StreamState state, PlainTools tools, Captures captures, Clock clock) {
        this.basePath = Objects.requireNonNull(basePath, "basePath is null");
        this.plain = plain;
        this.follow = follow;
        this.plan = Objects.requireNonNull(plan, "plan is null");
        this.shape = Objects.requireNonNull(shape, "shape is null");
        this.state = Objects.requireNonNull(state, "state is null");
        this.tools = Objects.requireNonNull(tools, "tools is null");
        this.captures = Objects.requireNonNull(captures, "captures is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    @Override
    public OpenFile open(LiveFile live, Caller caller) throws AfsException {
        if (follow) {
            return follow(caller, live.capture(caller), live.treePath(), plan.get().leadingFilters(), shape, true,
                    Optional.empty());
        }
        Optional<ToolCommand> tool = plain ? tools.toolFor(caller, basePath) : Optional.empty();
        if (tool.isEmpty() || !PushedRead.withinBound(tool.get(), state.maxPushdown())) {
            return live.snapshot(caller);
        }
        String key = basePath + "?pushdown=" + tool.get().command();
        PushedRead read = new PushedRead(state.stream(), tool.get(), state.maxPushdown(), clock);
        EvidenceRecord record;
        try {
            record = captures.capture(caller, key, state.stream().cacheTtlMillis(), read);
        } catch (PushedRead.OverBound e) {
            return live.snapshot(caller); // the default window, flagged truncated when it cuts
        }
        if (tool.get().follow()) {
            return follow(caller, record, key, List.of(), LineShape.DEFAULT, false, Optional.of(tool.get().command()));
        }
        return SnapshotFile.ofCapture(record);
    }

    private OpenFile follow(Caller caller, EvidenceRecord initial, String label, List<LineFilter> filters,
                            LineShape lines, boolean blocking, Optional<String> command) throws AfsException {
        StreamFollower follower = state.follower();
        FollowFile file = new FollowFile(follower, captures, caller, initial, label, filters,
                FollowedLine.of(state.stream(), lines), blocking,
                tools.processes(), clock, state.stream().source().backend(), command);
        follower.join(file, tools.scheduler());
        return file;
    }
}
