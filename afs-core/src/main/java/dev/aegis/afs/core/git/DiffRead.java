package dev.aegis.afs.core.git;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * {@code config/.diff}: the unified diff of the env's folder, as {@code git diff} prints it.
 * <ul>
 * <li>{@code .diff?since=2h} (or {@code from=}, with {@code to=}): from the newest commit before
 *     the window to the newest commit before its end (the tip when open): what changed in it.</li>
 * <li>{@code .diff?rev=<id>}: one commit against its first parent.</li>
 * <li>{@code .diff}: the tip against its parent (the last change).</li>
 * </ul>
 */
final class DiffRead implements SnapshotProducer {

    /** What the terms ask for: a window, or one commit. */
    record Terms(LogQuery window, Optional<String> rev) {
    }

    private final String treePath;
    private final GitView view;
    private final PathQuery query;
    private final Clock clock;

    DiffRead(String treePath, GitView view, PathQuery query, Clock clock) {
        this.treePath = Objects.requireNonNull(treePath, "treePath is null");
        this.view = Objects.requireNonNull(view, "view is null");
        this.query = Objects.requireNonNull(query, "query is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    Terms terms() throws AfsException {
        List<PathTerm> window = new ArrayList<>();
        Optional<String> rev = Optional.empty();
        for (PathTerm t : query.terms()) {
            switch (t.key()) {
                case "since", "from", "to" -> window.add(t);
                case "rev" -> rev = Optional.of(t.value());
                default -> throw new AfsException(AfsError.INVALID_QUERY, treePath + ": column " + t.column() + ": '"
                        + t.key() + "' does not apply to .diff; it takes since=, from=, to= (what changed in a window)"
                        + " or rev=<commit id> (one commit), e.g. .diff?since=2h");
            }
        }
        if (rev.isPresent() && !window.isEmpty()) {
            throw new AfsException(AfsError.INVALID_QUERY, treePath + ": rev= shows one commit and cannot be combined with"
                    + " since=, from= or to=; drop one");
        }
        try {
            return new Terms(LogQueryCompiler.compile(new PathQuery(query.text(), window), clock), rev);
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, treePath + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        long started = System.nanoTime();
        Terms terms = terms();
        RevCommit tip = view.backend().tip();
        RevCommit head;
        Optional<RevCommit> base;
        if (terms.rev().isPresent()) {
            head = view.backend().commit(terms.rev().get());
            base = view.parent(head);
        } else if (terms.window().range().isAll()) {
            head = tip;
            base = view.parent(tip);
        } else {
            head = terms.window().range().end().isPresent()
                    ? view.before(tip, terms.window().range().end().get()).orElse(null) : tip;
            base = terms.window().range().start().isPresent()
                    ? view.before(tip, terms.window().range().start().get()) : Optional.empty();
        }
        String text = head == null ? "" : view.diff(base, head);
        List<String> diffLines = text.lines().toList();
        for (String line : diffLines) {
            out.line(line);
        }
        long lines = diffLines.size();
        String folder = view.repoPath("");
        String q = head == null ? "git diff: no commit before the window's end"
                : "git diff " + base.map(RevCommit::name).orElse("--root") + " " + head.name()
                + (folder.isEmpty() ? "" : " -- " + folder);
        return new CaptureInfo(view.backend().label(), q, Optional.empty(),
                ReadStats.complete(text.length(), lines, Duration.ofNanos(System.nanoTime() - started)),
                Map.of("commit", head == null ? "" : head.name()));
    }
}
