package dev.aegis.afs.core.incident;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The post-incident review of one incident's timeline (as the harness returns it, see
 * {@code GET /v1/incidents/<id>/timeline}): which reads no plan cited (redundant), which reads a
 * pushed-down query would have made cheaper (a whole log read and later narrowed with grep), how
 * long it took to the first evidence of the cause, what each action did and how its verify ended,
 * the approvals and how long they were waited for, and what humans said. A pure function of the
 * timeline: {@code afs review}, {@code /incidents/<id>/review.md} and {@code review.json} show the same.
 */
public final class IncidentReview {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Path terms that narrow a read to matching lines: pushed down to the backend where it can. */
    private static final Pattern FILTER = Pattern.compile("(^|&)(grep|grep-v|grep-i|grep-F)=");

    private final String incident;
    private final List<JsonNode> entries;

    private IncidentReview(String incident, List<JsonNode> entries) {
        this.incident = incident;
        this.entries = entries;
    }

    /** The review of a timeline document {@code {"incident": id, "entries": [...]}}. */
    public static IncidentReview of(JsonNode timeline) {
        requireNonNull(timeline, "timeline is null");
        if (!timeline.path("incident").isTextual() || !timeline.path("entries").isArray()) {
            throw new IllegalArgumentException("not an incident timeline: it needs \"incident\" and \"entries\"");
        }
        List<JsonNode> entries = new ArrayList<>();
        timeline.path("entries").forEach(entries::add);
        return new IncidentReview(timeline.path("incident").asText(), entries);
    }

    public String incident() {
        return incident;
    }

    private List<JsonNode> kind(String kind) {
        return entries.stream().filter(e -> e.path("kind").asText().equals(kind)).toList();
    }

    private Set<String> citedIds() {
        Set<String> out = new LinkedHashSet<>();
        kind("plan").forEach(p -> p.path("cites").forEach(c -> out.add(c.asText())));
        kind("read").forEach(r -> {
            if (r.path("cited_by").size() > 0) {
                out.add(r.path("evidence").asText());
            }
        });
        return out;
    }

    /** Reads no plan of the incident cited, oldest first. */
    public List<JsonNode> redundantReads() {
        Set<String> cited = citedIds();
        return kind("read").stream().filter(r -> !cited.contains(r.path("evidence").asText())).toList();
    }

    /**
     * A read of a whole stream that a later read of the same file narrowed with a filter: had the
     * filter been in the first read (pushed down), it would have served {@code bytesSaved} fewer
     * bytes and taken {@code millisSaved} less time.
     */
    public record CheaperRead(JsonNode read, JsonNode narrowed, long bytesSaved, long millisSaved) {
    }

    /** The reads a pushed-down query would have made cheaper, oldest first. */
    public List<CheaperRead> cheaperReads() {
        List<JsonNode> reads = kind("read");
        List<CheaperRead> out = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            JsonNode whole = reads.get(i);
            if (narrowed(whole)) {
                continue;
            }
            for (int j = i + 1; j < reads.size(); j++) {
                JsonNode later = reads.get(j);
                if (file(later).equals(file(whole)) && narrowed(later) && cost(later) < cost(whole)) {
                    out.add(new CheaperRead(whole, later, cost(whole) - cost(later),
                            Math.max(0, millis(whole) - millis(later))));
                    break;
                }
            }
        }
        return out;
    }

    /** The first read later cited by a plan, and how long after the incident's first step it was made. */
    public record FirstEvidence(JsonNode read, Duration after) {
    }

    public Optional<FirstEvidence> firstEvidence() {
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Set<String> cited = citedIds();
        Instant start = at(entries.get(0));
        return kind("read").stream().filter(r -> cited.contains(r.path("evidence").asText())).findFirst()
                .map(r -> new FirstEvidence(r, Duration.between(start, at(r))));
    }

    /** One change request of the incident: its actions' outcomes, verify outcome, approvals and the wait. */
    public record RequestReview(String request, List<String> actions, Optional<String> verify, String finalState,
                                List<String> approvers, Optional<Duration> waited) {
    }

    public List<RequestReview> requests() {
        Map<String, List<JsonNode>> byRequest = new LinkedHashMap<>();
        for (JsonNode e : entries) {
            if (e.hasNonNull("request") && !e.path("kind").asText().equals("read")) {
                byRequest.computeIfAbsent(e.path("request").asText(), k -> new ArrayList<>()).add(e);
            }
        }
        List<RequestReview> out = new ArrayList<>();
        byRequest.forEach((id, list) -> {
            List<String> actions = new ArrayList<>();
            Optional<String> verify = Optional.empty();
            String state = "SUBMITTED";
            List<String> approvers = new ArrayList<>();
            Instant pending = null;
            Instant approved = null;
            for (JsonNode e : list) {
                switch (e.path("kind").asText()) {
                    case "result" -> actions.add(e.path("action").asText() + " -> " + e.path("outcome").asText());
                    case "verify" -> verify = Optional.of(e.path("outcome").asText());
                    case "approval" -> approvers.add(e.path("summary").asText().replaceFirst("^.* approved by ", ""));
                    default -> { }
                }
                if (e.has("to")) {
                    state = e.path("to").asText();
                    if (state.equals("PENDING_APPROVAL") && pending == null) {
                        pending = at(e);
                    }
                    if (state.equals("APPROVED") && pending != null && approved == null) {
                        approved = at(e);
                    }
                }
            }
            Optional<Duration> waited = pending != null && approved != null ? Optional.of(Duration.between(pending, approved))
                    : Optional.empty();
            out.add(new RequestReview(id, actions, verify, state, approvers, waited));
        });
        return out;
    }

    /** The feedback humans left, oldest first. */
    public List<JsonNode> feedback() {
        return kind("feedback");
    }

    public ObjectNode json() {
        ObjectNode n = JSON.createObjectNode();
        n.put("incident", incident);
        List<JsonNode> reads = kind("read");
        List<JsonNode> redundant = redundantReads();
        ObjectNode totals = n.putObject("reads");
        totals.put("total", reads.size());
        totals.put("cited", reads.size() - redundant.size());
        totals.put("redundant", redundant.size());
        totals.put("bytes", reads.stream().mapToLong(r -> r.path("bytes").asLong()).sum());
        totals.put("redundant_bytes", redundant.stream().mapToLong(r -> r.path("bytes").asLong()).sum());
        ArrayNode red = n.putArray("redundant_reads");
        redundant.forEach(r -> red.add(brief(r)));
        ArrayNode cheaper = n.putArray("cheaper_with_pushdown");
        for (CheaperRead c : cheaperReads()) {
            ObjectNode o = cheaper.addObject();
            o.set("read", brief(c.read()));
            o.set("narrowed_by", brief(c.narrowed()));
            o.put("bytes_saved", c.bytesSaved());
            o.put("ms_saved", c.millisSaved());
        }
        Optional<FirstEvidence> first = firstEvidence();
        if (first.isPresent()) {
            ObjectNode o = n.putObject("first_evidence_of_cause");
            o.set("read", brief(first.get().read()));
            o.put("after_ms", first.get().after().toMillis());
        } else {
            n.putNull("first_evidence_of_cause");
        }
        ArrayNode requests = n.putArray("requests");
        for (RequestReview r : requests()) {
            ObjectNode o = requests.addObject();
            o.put("request", r.request());
            o.put("state", r.finalState());
            ArrayNode a = o.putArray("actions");
            r.actions().forEach(a::add);
            r.verify().ifPresentOrElse(v -> o.put("verify", v), () -> o.putNull("verify"));
            ArrayNode ap = o.putArray("approvers");
            r.approvers().forEach(ap::add);
            r.waited().ifPresentOrElse(w -> o.put("approval_wait_ms", w.toMillis()), () -> o.putNull("approval_wait_ms"));
        }
        ArrayNode fb = n.putArray("feedback");
        for (JsonNode f : feedback()) {
            ObjectNode o = fb.addObject();
            o.put("step", f.path("about").asText());
            o.put("verdict", f.path("outcome").asText());
            o.put("who", f.path("who").asText());
            o.put("person", f.path("person").asText());
            o.put("at", f.path("at").asText());
        }
        return n;
    }

    public String markdown() {
        StringBuilder s = new StringBuilder();
        List<JsonNode> reads = kind("read");
        List<JsonNode> redundant = redundantReads();
        long bytes = reads.stream().mapToLong(r -> r.path("bytes").asLong()).sum();
        s.append("# Review of ").append(incident).append("\n\n");
        s.append(reads.size()).append(" reads (").append(reads.size() - redundant.size()).append(" cited by a plan, ")
                .append(redundant.size()).append(" never cited), ").append(bytes).append(" bytes served; ")
                .append(requests().size()).append(" change request(s); ").append(feedback().size()).append(" feedback.\n\n");

        s.append("## Time to the first evidence of the cause\n\n");
        firstEvidence().ifPresentOrElse(f -> s.append(human(f.after())).append(" after the incident's first step: ")
                        .append(line(f.read())).append("\n\n"),
                () -> s.append("No read was cited by a plan yet.\n\n"));

        s.append("## Redundant reads (never cited by a plan)\n\n");
        if (redundant.isEmpty()) {
            s.append("None.\n\n");
        } else {
            redundant.forEach(r -> s.append("- ").append(line(r)).append('\n'));
            s.append('\n');
        }

        s.append("## Reads a pushed-down query would have made cheaper\n\n");
        List<CheaperRead> cheaper = cheaperReads();
        if (cheaper.isEmpty()) {
            s.append("None.\n\n");
        } else {
            for (CheaperRead c : cheaper) {
                s.append("- `").append(c.read().path("source").asText()).append("` was read whole (")
                        .append(cost(c.read())).append(" bytes served, ").append(millis(c.read()))
                        .append(" ms), then narrowed as `").append(c.narrowed().path("source").asText()).append("` (")
                        .append(cost(c.narrowed())).append(" bytes, ").append(millis(c.narrowed()))
                        .append(" ms): reading the narrowed query first saves ").append(c.bytesSaved()).append(" bytes and ")
                        .append(c.millisSaved()).append(" ms (step ").append(c.read().path("step").asText()).append(")\n");
            }
            s.append('\n');
        }

        s.append("## Actions and their verify outcome\n\n");
        List<RequestReview> requests = requests();
        if (requests.isEmpty()) {
            s.append("No change request.\n\n");
        }
        for (RequestReview r : requests) {
            s.append("- ").append(r.request()).append(" (").append(r.finalState()).append("): ")
                    .append(r.actions().isEmpty() ? "no action ran" : String.join("; ", r.actions()))
                    .append("; verify ").append(r.verify().orElse("not reached")).append('\n');
        }
        if (!requests.isEmpty()) {
            s.append('\n');
        }

        s.append("## Approvals and waits\n\n");
        boolean any = false;
        for (RequestReview r : requests) {
            if (!r.approvers().isEmpty() || r.waited().isPresent()) {
                any = true;
                s.append("- ").append(r.request()).append(": approved by ")
                        .append(r.approvers().isEmpty() ? "nobody" : String.join(", ", r.approvers()))
                        .append(r.waited().map(w -> ", after waiting " + human(w) + " for approval").orElse(""))
                        .append('\n');
            }
        }
        s.append(any ? "\n" : "No approval was needed or given.\n\n");

        s.append("## Human feedback\n\n");
        List<JsonNode> fb = feedback();
        if (fb.isEmpty()) {
            s.append("None yet: echo useful|useless|dangerous > /incidents/").append(incident).append("/feedback/<step>\n");
        }
        for (JsonNode f : fb) {
            s.append("- ").append(f.path("person").asText()).append(" (").append(f.path("who").asText()).append(") marked ")
                    .append(f.path("about").asText()).append(' ').append(f.path("outcome").asText().toUpperCase(java.util.Locale.ROOT))
                    .append(" at ").append(f.path("at").asText()).append('\n');
        }
        return s.toString();
    }

    private static ObjectNode brief(JsonNode read) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", read.path("step").asText());
        o.put("evidence", read.path("evidence").asText());
        o.put("at", read.path("at").asText());
        o.put("who", read.path("who").asText());
        o.put("source", read.path("source").asText());
        o.put("bytes", read.path("bytes").asLong());
        o.put("backend_bytes", backendBytes(read));
        o.put("ms", millis(read));
        return o;
    }

    private static String line(JsonNode r) {
        return "`" + r.path("step").asText() + "`: " + r.path("at").asText() + " " + r.path("who").asText() + " "
                + r.path("command").asText() + " read `" + r.path("source").asText() + "` (" + r.path("lines").asLong()
                + " lines, " + r.path("bytes").asLong() + " bytes), /evidence/" + r.path("evidence").asText();
    }

    /** The file a read was of, without its terms or the shell pipeline after it. */
    private static String file(JsonNode read) {
        return read.path("source").asText().split("[? ]", 2)[0];
    }

    /** Whether a read was narrowed to matching lines: grep terms, a shell grep, or a pushed-down plain grep. */
    private static boolean narrowed(JsonNode read) {
        String source = read.path("source").asText();
        int mark = source.indexOf('?');
        String terms = mark < 0 ? "" : source.substring(mark + 1);
        return FILTER.matcher(terms).find() || source.contains("| grep") || source.contains("|grep")
                || read.path("stats").path("pushdown").asText("").matches("^\\S*grep\\b.*");
    }

    /**
     * What a read cost its reader: the bytes it served (what an agent takes into its context). The
     * backend's own bytes are in {@code backend_bytes}; a local file is scanned whole either way.
     */
    private static long cost(JsonNode read) {
        return read.path("bytes").asLong();
    }

    private static long backendBytes(JsonNode read) {
        try {
            return Long.parseLong(read.path("stats").path("bytes_received").asText(""));
        } catch (NumberFormatException e) {
            return read.path("bytes").asLong();
        }
    }

    private static long millis(JsonNode read) {
        try {
            return Long.parseLong(read.path("stats").path("duration_ms").asText("0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Instant at(JsonNode e) {
        return Instant.parse(e.path("at").asText());
    }

    /** {@code 3m12s}, {@code 450ms}. */
    static String human(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        return (s >= 3600 ? s / 3600 + "h" : "") + (s >= 60 ? (s % 3600) / 60 + "m" : "") + s % 60 + "s";
    }
}
