package dev.aegis.afs.core.git;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.evidence.Captures;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathQueryParser;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * {@code config/} and its folders: the repository's tree at the branch's tip (read when listed
 * or looked up, so a fetched commit shows at once). Files are live: a read captures the blob of
 * the tip it resolved, and the evidence names that commit. The top folder also has
 * {@code .history} and {@code .diff}.
 */
final class ConfigDirectory implements DirNode {

    static final String HISTORY = ".history";
    static final String DIFF = ".diff";

    private final String treePath;
    private final String name;
    private final String relative;
    private final GitView view;
    private final boolean top;
    private final Clock clock;
    private final Captures captures;
    private final long cacheTtlMillis;

    ConfigDirectory(String treePath, String name, String relative, GitView view, boolean top, Clock clock, Captures captures,
                    long cacheTtlMillis) {
        this.treePath = Objects.requireNonNull(treePath, "treePath is null");
        this.name = Objects.requireNonNull(name, "name is null");
        this.relative = Objects.requireNonNull(relative, "relative is null");
        this.view = Objects.requireNonNull(view, "view is null");
        this.top = top;
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.captures = Objects.requireNonNull(captures, "captures is null");
        this.cacheTtlMillis = cacheTtlMillis;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NodeAttributes attributes(Caller caller) throws AfsException {
        return NodeAttributes.dir(Instant.ofEpochSecond(view.backend().tip().getCommitTime()), 0);
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        RevCommit tip = view.backend().tip();
        List<Node> out = new ArrayList<>();
        if (top) {
            out.add(live(HISTORY, PathQuery.EMPTY));
            out.add(live(DIFF, PathQuery.EMPTY));
        }
        for (GitView.Entry e : view.list(tip, relative).orElse(List.of())) {
            out.add(e.directory() ? folder(e.name()) : file(e.name()));
        }
        return out;
    }

    @Override
    public Node child(String childName, Caller caller) throws AfsException {
        int mark = childName.indexOf('?');
        String base = mark < 0 ? childName : childName.substring(0, mark);
        if (top && (base.equals(HISTORY) || base.equals(DIFF))) {
            PathQuery query;
            try {
                query = mark < 0 ? PathQuery.EMPTY : PathQueryParser.parse(childName.substring(mark + 1));
            } catch (QuerySyntaxException e) {
                throw new AfsException(AfsError.INVALID_QUERY, treePath + "/" + childName + ": " + e.getMessage(), e);
            }
            LiveFile file = live(childName, query);
            if (base.equals(HISTORY)) {
                history(childName, query).plan(); // refuse bad terms at lookup
            } else {
                diff(childName, query).terms();
            }
            return file;
        }
        if (mark >= 0) {
            throw new AfsException(AfsError.INVALID_QUERY, treePath + "/" + childName + ": files in config/ take no terms;"
                    + " grep them, or read .history?since=... and .diff?since=...");
        }
        RevCommit tip = view.backend().tip();
        String path = relative.isEmpty() ? base : relative + "/" + base;
        if (view.blob(tip, path).isPresent()) {
            return file(base);
        }
        if (view.list(tip, path).isPresent()) {
            return folder(base);
        }
        throw new AfsException(AfsError.NOT_FOUND, treePath + "/" + base + ": not in " + view.backend().label() + " at "
                + tip.name().substring(0, 12) + "; ls " + treePath + " lists what is there");
    }

    private ConfigDirectory folder(String child) {
        return new ConfigDirectory(treePath + "/" + child, child, relative.isEmpty() ? child : relative + "/" + child, view,
                false, clock, captures, cacheTtlMillis);
    }

    private LiveFile file(String child) {
        String path = relative.isEmpty() ? child : relative + "/" + child;
        return new LiveFile(child, treePath + "/" + child, clock::instant, cacheTtlMillis, captures,
                new GitFileRead(treePath + "/" + child, view, path));
    }

    private LiveFile live(String childName, PathQuery query) {
        boolean history = childName.startsWith(HISTORY);
        return new LiveFile(childName, treePath + "/" + childName, clock::instant, cacheTtlMillis, captures,
                history ? history(childName, query) : diff(childName, query));
    }

    private HistoryRead history(String childName, PathQuery query) {
        return new HistoryRead(treePath + "/" + childName, view, query, clock);
    }

    private DiffRead diff(String childName, PathQuery query) {
        return new DiffRead(treePath + "/" + childName, view, query, clock);
    }
}
