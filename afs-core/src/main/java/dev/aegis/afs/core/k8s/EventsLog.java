package dev.aegis.afs.core.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.LogQueryCompiler;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.TimePrefix;
import dev.aegis.afs.query.k8s.ObjectSelector;
import dev.aegis.afs.query.k8s.SelectorTerms;
import dev.aegis.afs.query.k8s.TermSplit;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.path.PathQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code k8s/events.log}: the namespace's events as log lines, oldest first:
 * {@code <time> <type> <reason> <kind>/<name>: <message>}, with {@code (xN)} when the event
 * happened N times (the time is the last occurrence). Takes the log terms ({@code since},
 * {@code from}, {@code to}, {@code grep*}, {@code tail}, {@code head}), applied locally since the
 * events API has no time or text filter, and the selector terms {@code type}, {@code reason},
 * {@code object} (involvedObject.name), {@code kind} (involvedObject.kind), {@code label} and
 * {@code field}, sent as the list call's selectors.
 */
final class EventsLog {

    private static final SelectorTerms SELECTORS = new SelectorTerms(Kind.EVENTS.shorthands);

    private EventsLog() {
    }

    static LiveFile lookup(ClusterView view, String name, PathQuery query) throws AfsException {
        try {
            TermSplit split = TermSplit.of(query, SELECTORS.keys());
            ObjectSelector selector = SELECTORS.compile(split.selected());
            return file(view, name, selector, split.rest());
        } catch (QuerySyntaxException e) {
            throw NameWithQuery.invalid(name, e);
        }
    }

    static LiveFile file(ClusterView view, String name, ObjectSelector selector, PathQuery logTerms) {
        LogQuery plan = LogQueryCompiler.compile(logTerms, view.clock());
        String call = view.listCall(Kind.EVENTS, selector);
        return view.liveFile(name, name, view::now, out -> {
            KubernetesBackend.JsonRead read = view.backend().getJson(call);
            LineWriter writer = new LineWriter(out);
            LineSink pipeline = writer.pipeline(plan);
            for (LogLine line : lines(selected(read.body(), selector))) {
                if (!pipeline.accept(line)) {
                    break;
                }
            }
            pipeline.end();
            writer.finish();
            String local = plan.isIdentity() && plan.range().isAll() ? "" : " | " + plan;
            return new CaptureInfo(view.backend().label(), "GET " + call + local, Optional.empty(), read.stats());
        });
    }

    /** The events of a list body that the selector selects (re-checked locally, as for listings). */
    static List<JsonNode> selected(JsonNode listBody, ObjectSelector selector) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode event : listBody.path("items")) {
            if (selector.matches(ObjectFields.labels(event), f -> ObjectFields.field(event, f))) {
                out.add(event);
            }
        }
        out.sort(Comparator.comparing(EventsLog::time));
        return out;
    }

    static List<LogLine> lines(List<JsonNode> events) {
        List<LogLine> out = new ArrayList<>(events.size());
        for (JsonNode event : events) {
            Instant time = time(event);
            JsonNode object = event.path("involvedObject");
            int count = event.path("count").asInt(1);
            String text = TimePrefix.format(time) + " " + event.path("type").asText("Normal")
                    + " " + event.path("reason").asText("-") + " " + object.path("kind").asText("").toLowerCase(java.util.Locale.ROOT)
                    + "/" + object.path("name").asText("") + ": " + event.path("message").asText("").strip().replace("\r", "").replace('\n', ' ')
                    + (count > 1 ? " (x" + count + ")" : "");
            out.add(new LogLine(time, text));
        }
        return out;
    }

    private static Instant time(JsonNode event) {
        Instant t = ObjectFields.eventTime(event);
        return t == null ? Instant.EPOCH : t;
    }
}
