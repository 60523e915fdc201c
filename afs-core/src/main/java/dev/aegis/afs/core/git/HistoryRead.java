package dev.aegis.afs.core.git;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.core.source.ResidualLines;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * {@code config/.history?since=2h}: the commits touching the env's folder, oldest first, one a
 * line: {@code <commit time> <id, 12 digits> <author> <email> <subject>}. The window is applied
 * while walking (as {@code git log --since --until}); grep, tail and head run on the lines.
 */
final class HistoryRead implements SnapshotProducer {

    static final Set<String> KEYS = Set.of("since", "from", "to", "grep", "grep-v", "grep-i", "grep-F", "tail", "head");

    private final String treePath;
    private final GitView view;
    private final PathQuery query;
    private final Clock clock;

    HistoryRead(String treePath, GitView view, PathQuery query, Clock clock) {
        this.treePath = Objects.requireNonNull(treePath, "treePath is null");
        this.view = Objects.requireNonNull(view, "view is null");
        this.query = Objects.requireNonNull(query, "query is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    LogQuery plan() throws AfsException {
        for (PathTerm t : query.terms()) {
            if (!KEYS.contains(t.key())) {
                throw new AfsException(AfsError.INVALID_QUERY, treePath + ": column " + t.column() + ": '" + t.key()
                        + "' does not apply to .history; it takes since=, from=, to=, grep=, grep-v=, grep-i=, grep-F=,"
                        + " tail= and head= (e.g. .history?since=2h)");
            }
        }
        try {
            return LogQueryCompiler.compile(query, clock);
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, treePath + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        long started = System.nanoTime();
        LogQuery plan = plan();
        RevCommit tip = view.backend().tip();
        Instant from = plan.range().start().orElse(null);
        Instant to = plan.range().end().orElse(null);
        List<GitView.Commit> commits = view.history(tip, from, to);
        List<String> lines = new ArrayList<>();
        for (GitView.Commit c : commits) {
            lines.add(out.redactor().redact(c.line()));
        }
        lines = ResidualLines.apply(lines, plan.stages());
        for (String line : lines) {
            out.servedLine(line);
        }
        StringBuilder q = new StringBuilder("git log ").append(tip.name());
        if (from != null) {
            q.append(" --since=").append(from);
        }
        if (to != null) {
            q.append(" --until=").append(to).append(" (exclusive)");
        }
        if (!view.repoPath("").isEmpty()) {
            q.append(" -- ").append(view.repoPath(""));
        }
        if (!plan.stages().isEmpty()) {
            q.append(" | local: ").append(plan.withRange(dev.aegis.afs.query.TimeRange.ALL));
        }
        return new CaptureInfo(view.backend().label(), q.toString(), Optional.empty(),
                ReadStats.complete(0, commits.size(), Duration.ofNanos(System.nanoTime() - started)),
                Map.of("commit", tip.name(), "commits", Integer.toString(commits.size())));
    }
}
