package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.TimePrefix;
import dev.aegis.afs.query.k8s.PodLogCompiler;
import dev.aegis.afs.query.k8s.PodLogRequest;
import dev.aegis.afs.query.k8s.PodLogTarget;
import dev.aegis.afs.query.k8s.TermSplit;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * {@code k8s/pods/<pod>/logs/<container>.log} and {@code .previous.log}. Takes the log terms
 * ({@code tail}, {@code head}, {@code since}, {@code from}, {@code to}, {@code grep*}) and
 * {@code timestamps=true|false} and {@code raw=1}. Lines start with their RFC 3339 UTC time, as
 * {@code kubectl logs --timestamps} prints them (re-formatted to {@link TimePrefix}'s shape), unless
 * the k8s section says {@code timestamp: none} or the read says {@code raw=1} or
 * {@code timestamps=false}. What is pushed into the API call is decided by {@link PodLogCompiler}; the rest
 * runs here through {@link LocalEvaluator}. With {@code timestamps=true}, grep sees the stamped
 * line, as {@code kubectl logs --timestamps | grep} would.
 *
 * <p>{@code follow=1}, or a plain {@code tail -f} / {@code tail -F} of the file without terms (seen
 * as {@link dev.aegis.afs.core.tree.logs.PlainTools} sees plain tools), follows the log with one
 * shared {@code follow=true} call ({@link PodLogFollow}).
 */
final class PodLogFile {

    private static final Set<String> OWN_KEYS = Set.of("timestamps", "follow");

    private PodLogFile() {
    }

    static LiveFile lookup(ClusterView view, String pod, String container, boolean previous, String name,
                           PathQuery query) throws AfsException {
        try {
            return file(view, pod, container, previous, name, query);
        } catch (QuerySyntaxException e) {
            throw NameWithQuery.invalid(name, e);
        }
    }

    static LiveFile file(ClusterView view, String pod, String container, boolean previous, String name,
                         PathQuery query) {
        TermSplit split = TermSplit.of(query, OWN_KEYS);
        boolean stamp = view.stampPodLogs();
        for (PathTerm term : split.rest().terms()) {
            if (term.key().equals("raw")) {
                stamp = !LogQueryCompiler.lineSwitch(term);
            }
        }
        boolean follow = false;
        for (PathTerm term : split.selected().terms()) {
            if (term.key().equals("follow")) {
                follow = switch (term.value()) {
                    case "1", "true" -> true;
                    case "0", "false" -> false;
                    default -> throw new QuerySyntaxException("follow=" + term.value() + " is not allowed; write follow=1",
                            term.column());
                };
                continue;
            }
            stamp = switch (term.value()) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new QuerySyntaxException("timestamps=" + term.value()
                        + " is not a boolean; write timestamps=true or timestamps=false", term.column());
            };
        }
        LogQuery plan = LogQueryCompiler.compile(split.rest(), view.clock());
        PodLogTarget target = new PodLogTarget(view.namespace(), pod, container, previous);
        Pushdown<PodLogRequest> pushdown = new PodLogCompiler(target, stamp).compile(plan);
        boolean stampLines = stamp;
        if (follow) {
            if (previous) {
                throw new QuerySyntaxException(name + " is the log of a previous run, which does not grow;"
                        + " follow " + container + ".log instead", 1);
            }
            return view.followedLog(name, "pods/" + pod + "/logs/" + name, out -> read(view, pushdown, stampLines, out),
                    target, stampLines, plan.leadingFilters());
        }
        if (!previous && query.isEmpty()) { // a plain tail -f of it follows
            return view.plainLog(name, "pods/" + pod + "/logs/" + name, out -> read(view, pushdown, stampLines, out),
                    target, stampLines);
        }
        return view.liveFile(name, "pods/" + pod + "/logs/" + name, view::now,
                out -> read(view, pushdown, stampLines, out));
    }

    private static CaptureInfo read(ClusterView view, Pushdown<PodLogRequest> pushdown, boolean stampLines,
                                    SnapshotOutput out) throws AfsException {
        PodLogRequest request = pushdown.query();
        LineWriter writer = new LineWriter(out);
        LineSink pipeline = writer.pipeline(pushdown.residual());
        ReadStats stats = view.backend().streamLines(request.text(),
                raw -> pipeline.accept(line(raw, request.timestamps(), stampLines)));
        pipeline.end();
        writer.finish();
        LogQuery residual = pushdown.residual();
        String local = residual.isIdentity() && residual.range().isAll() ? "" : " | " + residual;
        return new CaptureInfo(view.backend().label(), "GET " + request.text() + local, Optional.empty(), stats);
    }

    /** A raw API line: {@code <RFC 3339 time> <text>} when timestamps were asked for. */
    static LogLine line(String raw, boolean stamped, boolean keepStamp) {
        if (!stamped) {
            return new LogLine(null, raw);
        }
        int space = raw.indexOf(' ');
        try {
            Instant time = Instant.parse(space < 0 ? raw : raw.substring(0, space));
            String text = space < 0 ? "" : raw.substring(space + 1);
            return new LogLine(time, keepStamp ? TimePrefix.served(time, text) : text);
        } catch (DateTimeParseException e) {
            return new LogLine(null, raw);
        }
    }
}
