package dev.aegis.afs.core.skills;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code afs skills propose}: a structured skill drafted from what worked in one incident. From
 * the incident's timeline ({@code GET /v1/incidents/<id>/timeline}) and its SUCCEEDED change
 * request: the steps are the reads that request cited, in the order they were made, generalised
 * (the team and env become {@code {team}}/{@code {env}}, a concrete {@code from=}/{@code to=}
 * becomes a {@code since=} window as long as the read looked back, a pod name becomes a label
 * selector or a wildcard over its workload's pods); the triggers come from the first of them (the
 * first evidence that pointed at the cause); the plan template is the executed plan without its
 * incident-specific parts (evidence, idempotency keys). The draft passes {@link SkillSchema}.
 */
public final class SkillDraft {

    /** A drafted skill: for {@code team}/{@code env}, from {@code request}. */
    public record Draft(String team, String env, String name, String request, String yaml) {
        public Draft {
            requireNonNull(team, "team is null");
            requireNonNull(env, "env is null");
            requireNonNull(name, "name is null");
            requireNonNull(request, "request is null");
            requireNonNull(yaml, "yaml is null");
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    /** A Deployment's pod: {@code <deployment>-<replicaset hash>-<5 characters>}; a StatefulSet's: {@code <name>-<ordinal>}. */
    private static final Pattern DEPLOYMENT_POD = Pattern.compile("(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}");
    private static final Pattern STATEFUL_POD = Pattern.compile("(.+)-\\d{1,4}");
    private static final Set<String> GREP_TERMS = Set.of("grep", "grep-i", "grep-F");

    private SkillDraft() {
    }

    /**
     * @param timeline the incident's timeline
     * @param requests each of the incident's change requests as {@code GET /v1/requests/<id>} gives it (with {@code document})
     * @param name     the skill's name; default {@code <incident>-<tool>-<target>}
     * @throws AfsException INVALID_ARGUMENT when no change request of the incident SUCCEEDED, or it cited no read
     */
    public static Draft draft(String incident, JsonNode timeline, List<JsonNode> requests, Optional<String> name)
            throws AfsException {
        JsonNode worked = requests.stream().filter(r -> r.path("state").asText().equals("SUCCEEDED"))
                .filter(r -> !r.path("document").asText().contains("\nkind:") && !r.path("document").asText().startsWith("kind:"))
                .findFirst().orElseThrow(() -> new AfsException(AfsError.INVALID_ARGUMENT, "incident " + incident + " has no "
                        + "SUCCEEDED change request (" + requests.size() + " request(s) seen); a skill is drafted only from what "
                        + "worked"));
        Map<String, Object> plan = readPlan(worked.path("document").asText());
        String team = worked.path("team").asText();
        String env = worked.path("env").asText();
        Set<String> cited = new LinkedHashSet<>();
        for (Object e : list(plan.get("evidence"))) {
            String path = String.valueOf(((Map<?, ?>) e).get("path"));
            cited.add(path.substring(path.lastIndexOf("/evidence/") + "/evidence/".length()));
        }
        List<JsonNode> reads = new ArrayList<>();
        timeline.path("entries").forEach(e -> {
            if (e.path("kind").asText().equals("read") && cited.contains(e.path("evidence").asText())) {
                reads.add(e);
            }
        });
        reads.sort(Comparator.comparing(e -> e.path("at").asText()));
        if (reads.isEmpty()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "request " + worked.path("id").asText() + " of incident " + incident
                    + " cites no read the timeline shows; a skill's steps are the reads that pointed at the cause");
        }
        String hypothesis = String.valueOf(plan.getOrDefault("hypothesis", "")).strip();
        Map<String, Object> skill = new LinkedHashMap<>();
        String skillName = name.orElseGet(() -> defaultName(incident, plan));
        skill.put("skill", skillName);
        skill.put("summary", clip("Drafted from " + incident + ": " + hypothesis, 480));
        skill.put("version", 1);
        skill.put("triggers", triggers(reads.get(0)));
        List<Map<String, Object>> steps = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode read : reads) {
            String general = generalise(read.path("source").asText(), team, env, read.path("at").asText());
            if (seen.add(general)) {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("read", general);
                step.put("why", clip("cited for: " + hypothesis + " (" + incident + ", " + offset(reads.get(0), read) + ")", 1900));
                steps.add(step);
            }
        }
        skill.put("steps", steps);
        skill.put("plan", template(plan));
        skill.put("guardrails", List.of("drafted from one incident (" + incident + ", request " + worked.path("id").asText()
                + "): check every step and the plan before promoting it"));
        String yaml;
        try {
            yaml = "# drafted by afs skills propose from " + incident + "; data for agents to read, never run\n"
                    + YAML.writeValueAsString(skill);
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, "cannot write the draft: " + e.getMessage(), e);
        }
        SkillSchema.Result check = SkillSchema.read(skillName + ".yaml", yaml, Optional.of(skillName));
        if (!check.ok()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the draft from " + incident + " does not pass the skill schema: "
                    + check.problems() + "; pass --name to choose a valid name");
        }
        return new Draft(team, env, skillName, worked.path("id").asText(), yaml);
    }

    private static Map<String, Object> readPlan(String document) throws AfsException {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> plan = YAML.readValue(document, LinkedHashMap.class);
            return plan;
        } catch (IOException e) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the executed plan is not YAML: " + e.getMessage(), e);
        }
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    /** The plan without what belongs to one incident: its id, team, env, evidence and idempotency keys. */
    private static Map<String, Object> template(Map<String, Object> plan) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : List.of("hypothesis", "confidence", "actions", "verify", "rollback")) {
            if (!plan.containsKey(key)) {
                continue;
            }
            Object v = plan.get(key);
            if (key.equals("actions")) {
                List<Object> actions = new ArrayList<>();
                for (Object a : list(v)) {
                    Map<String, Object> copy = new LinkedHashMap<>(castMap(a));
                    copy.remove("idempotency_key");
                    actions.add(copy);
                }
                v = actions;
            }
            out.put(key, v);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String defaultName(String incident, Map<String, Object> plan) {
        StringBuilder b = new StringBuilder(incident.toLowerCase(Locale.ROOT));
        List<?> actions = list(plan.get("actions"));
        if (!actions.isEmpty()) {
            Map<String, Object> a = castMap(actions.get(0));
            b.append('-').append(a.getOrDefault("tool", "change")).append('-')
                    .append(castMap(a.get("target")).getOrDefault("name", "target"));
        }
        String n = b.toString().replaceAll("[^a-z0-9-]+", "-").replaceAll("-+", "-").replaceAll("^-|-$", "");
        return n.length() > 63 ? n.substring(0, 63).replaceAll("-$", "") : n;
    }

    /** The first evidence that pointed at the cause: what it filtered for, or what it read. */
    private static List<Map<String, String>> triggers(JsonNode first) {
        String source = first.path("source").asText();
        String path = source.split("\\?", 2)[0];
        Map<String, String> terms = terms(source);
        List<Map<String, String>> out = new ArrayList<>();
        if (path.contains("/k8s/") && terms.containsKey("reason")) {
            out.add(Map.of("event", terms.get("reason")));
        }
        for (String t : GREP_TERMS) {
            if (terms.containsKey(t)) {
                out.add(Map.of("log", terms.get(t)));
            }
        }
        if (out.isEmpty()) {
            String file = path.substring(path.lastIndexOf('/') + 1);
            out.add(Map.of(path.contains("/metrics/") ? "metric" : "log", file));
        }
        return out;
    }

    private static Map<String, String> terms(String source) {
        Map<String, String> out = new LinkedHashMap<>();
        int q = source.indexOf('?');
        if (q < 0) {
            return out;
        }
        for (String kv : source.substring(q + 1).split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1).replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /**
     * The read for any incident: {@code {team}}/{@code {env}}; {@code from=}/{@code to=} as a
     * {@code since=} window reaching as far back as the read did; a pod as its workload's pods.
     */
    static String generalise(String source, String team, String env, String at) {
        String prefix = "/teams/" + team + "/" + env + "/";
        String s = source.startsWith(prefix) ? "/teams/{team}/{env}/" + source.substring(prefix.length()) : source;
        int q = s.indexOf('?');
        String path = q < 0 ? s : s.substring(0, q);
        String query = q < 0 ? "" : s.substring(q + 1);
        Matcher pod = Pattern.compile("/k8s/pods/([a-z0-9.-]+?)(\\.describe|\\.yaml|/.*)?$").matcher(path);
        if (pod.find()) {
            Optional<String> workload = workload(pod.group(1));
            if (workload.isPresent()) {
                String rest = pod.group(2) == null ? "" : pod.group(2);
                path = rest.startsWith("/") ? path.substring(0, pod.start()) + "/k8s/pods/" + workload.get() + "-*" + rest
                        : path.substring(0, pod.start()) + "/k8s/pods";
                if (!rest.startsWith("/")) {
                    query = "label=app=" + workload.get() + (query.isEmpty() ? "" : "&" + query);
                }
            }
        }
        List<String> kept = new ArrayList<>();
        Optional<Instant> from = Optional.empty();
        for (String kv : query.isEmpty() ? new String[0] : query.split("&")) {
            if (kv.startsWith("from=")) {
                from = instant(kv.substring(5));
                continue;
            }
            if (kv.startsWith("to=")) {
                continue;
            }
            if (kv.startsWith("object=")) {
                Optional<String> w = workload(kv.substring(7));
                if (w.isPresent()) {
                    kv = "object=" + w.get() + "-*";
                }
            }
            kept.add(kv);
        }
        Optional<Instant> readAt = instant(at);
        if (from.isPresent() && readAt.isPresent() && kept.stream().noneMatch(k -> k.startsWith("since="))) {
            kept.add(0, "since=" + window(Duration.between(from.get(), readAt.get())));
        }
        return kept.isEmpty() ? path : path + "?" + String.join("&", kept);
    }

    private static Optional<String> workload(String pod) {
        Matcher d = DEPLOYMENT_POD.matcher(pod);
        if (d.matches()) {
            return Optional.of(d.group(1));
        }
        Matcher s = STATEFUL_POD.matcher(pod);
        return s.matches() ? Optional.of(s.group(1)) : Optional.empty();
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(URLDecoder.decode(text, StandardCharsets.UTF_8)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A look-back rounded up to whole minutes (under 2h), hours (under 2d) or days. */
    static String window(Duration d) {
        long minutes = Math.max(1, (d.toSeconds() + 59) / 60);
        if (minutes < 120) {
            return minutes + "m";
        }
        long hours = (minutes + 59) / 60;
        return hours < 48 ? hours + "h" : (hours + 23) / 24 + "d";
    }

    private static String offset(JsonNode first, JsonNode read) {
        Optional<Instant> a = instant(first.path("at").asText());
        Optional<Instant> b = instant(read.path("at").asText());
        if (a.isEmpty() || b.isEmpty() || read == first) {
            return "the first evidence of the cause";
        }
        return "read " + window(Duration.between(a.get(), b.get())) + " after the first evidence";
    }

    private static String clip(String s, int max) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= max ? one : one.substring(0, max - 3) + "...";
    }
}
