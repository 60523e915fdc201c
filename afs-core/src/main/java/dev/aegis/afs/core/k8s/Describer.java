package dev.aegis.afs.core.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code kubectl describe}, kept small: the key fields of each kind, conditions, containers with
 * image, state, restarts and resources for pods, replicas for workloads, and the object's events
 * at the end. Ages are relative to the injected clock.
 */
final class Describer {

    private static final DateTimeFormatter TIME = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private Describer() {
    }

    /** @param eventsOmitted why the events could not be read (shown in their place), or empty */
    static List<String> describe(Kind kind, JsonNode o, List<JsonNode> events, Optional<String> eventsOmitted,
                                 Instant now, boolean configMapData) {
        DescribeText t = new DescribeText();
        JsonNode meta = o.path("metadata");
        t.field("Name", meta.path("name").asText());
        if (kind.namespaced) {
            t.field("Namespace", meta.path("namespace").asText());
        }
        switch (kind) {
            case PODS -> pod(t, o);
            case DEPLOYMENTS, STATEFULSETS, DAEMONSETS -> workload(t, kind, o);
            case SERVICES -> service(t, o);
            case NODES -> node(t, o);
            case CONFIGMAPS -> configMap(t, o, configMapData);
            default -> common(t, o);
        }
        if (eventsOmitted.isPresent()) {
            t.heading("", "Events:  <" + eventsOmitted.get() + ">");
        } else {
            events(t, events, now);
        }
        return t.lines();
    }

    private static void common(DescribeText t, JsonNode o) {
        t.field("CreationTimestamp", time(o.path("metadata").path("creationTimestamp")));
        t.field("Labels", map(o.path("metadata").path("labels"), "\n"));
        t.field("Annotations", annotations(o.path("metadata").path("annotations")));
    }

    private static void pod(DescribeText t, JsonNode o) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        t.field("Service Account", spec.path("serviceAccountName").asText());
        String node = spec.path("nodeName").asText();
        t.field("Node", node.isEmpty() ? "" : node + (status.has("hostIP") ? "/" + status.path("hostIP").asText() : ""));
        t.field("Start Time", time(status.path("startTime")));
        t.field("Labels", map(o.path("metadata").path("labels"), "\n"));
        t.field("Annotations", annotations(o.path("metadata").path("annotations")));
        boolean deleting = o.path("metadata").has("deletionTimestamp");
        t.field("Status", deleting ? "Terminating" : status.path("phase").asText());
        if (status.has("reason")) {
            t.field("Reason", status.path("reason").asText());
        }
        if (status.has("message")) {
            t.field("Message", status.path("message").asText());
        }
        t.field("IP", status.path("podIP").asText());
        t.field("Controlled By", controller(o));
        Map<String, JsonNode> statuses = PodLogsDirectory.containers(o);
        if (spec.path("initContainers").size() > 0) {
            t.heading("", "Init Containers:");
            for (JsonNode c : spec.path("initContainers")) {
                container(t, c, statuses.get(c.path("name").asText()));
            }
        }
        t.heading("", "Containers:");
        for (JsonNode c : spec.path("containers")) {
            container(t, c, statuses.get(c.path("name").asText()));
        }
        conditions(t, status.path("conditions"), false);
    }

    private static void container(DescribeText t, JsonNode c, JsonNode status) {
        t.heading("  ", c.path("name").asText() + ":");
        String in = "    ";
        if (status != null && status.has("containerID")) {
            t.field(in, "Container ID", status.path("containerID").asText());
        }
        t.field(in, "Image", c.path("image").asText());
        List<String> ports = new ArrayList<>();
        for (JsonNode p : c.path("ports")) {
            ports.add(p.path("containerPort").asText() + "/" + p.path("protocol").asText("TCP"));
        }
        if (!ports.isEmpty()) {
            t.field(in, ports.size() == 1 ? "Port" : "Ports", String.join(", ", ports));
        }
        if (status != null && !status.isMissingNode()) {
            state(t, "State", status.path("state"));
            if (status.path("lastState").size() > 0) {
                state(t, "Last State", status.path("lastState"));
            }
            t.field(in, "Ready", status.path("ready").asBoolean() ? "True" : "False");
            t.field(in, "Restart Count", status.path("restartCount").asText("0"));
        }
        resources(t, in, c.path("resources"));
    }

    private static void state(DescribeText t, String label, JsonNode state) {
        String in = "    ";
        if (state.has("running")) {
            t.field(in, label, "Running");
            t.field(in + "  ", "Started", time(state.path("running").path("startedAt")));
        } else if (state.has("waiting")) {
            t.field(in, label, "Waiting");
            t.field(in + "  ", "Reason", state.path("waiting").path("reason").asText());
        } else if (state.has("terminated")) {
            JsonNode term = state.path("terminated");
            t.field(in, label, "Terminated");
            t.field(in + "  ", "Reason", term.path("reason").asText());
            t.field(in + "  ", "Exit Code", term.path("exitCode").asText());
            t.field(in + "  ", "Started", time(term.path("startedAt")));
            t.field(in + "  ", "Finished", time(term.path("finishedAt")));
        } else {
            t.field(in, label, "Unknown");
        }
    }

    private static void resources(DescribeText t, String in, JsonNode resources) {
        for (String kind : new String[] {"limits", "requests"}) {
            if (resources.path(kind).size() > 0) {
                t.heading(in, Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + ":");
                resources.path(kind).fields().forEachRemaining(e -> t.field(in + "  ", e.getKey(), e.getValue().asText()));
            }
        }
    }

    private static void workload(DescribeText t, Kind kind, JsonNode o) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        common(t, o);
        t.field("Selector", map(spec.path("selector").path("matchLabels"), ","));
        switch (kind) {
            case DEPLOYMENTS -> {
                int desired = spec.path("replicas").asInt(1);
                int unavailable = status.path("unavailableReplicas").asInt(0);
                t.field("Replicas", desired + " desired | " + status.path("updatedReplicas").asInt(0) + " updated | "
                        + status.path("replicas").asInt(0) + " total | " + status.path("availableReplicas").asInt(0)
                        + " available | " + unavailable + " unavailable");
                t.field("StrategyType", spec.path("strategy").path("type").asText("RollingUpdate"));
            }
            case STATEFULSETS -> {
                t.field("Replicas", spec.path("replicas").asInt(1) + " desired | " + status.path("replicas").asInt(0)
                        + " total");
                t.field("Pods Status", status.path("readyReplicas").asInt(0) + " Ready / "
                        + status.path("currentReplicas").asInt(0) + " Current / "
                        + status.path("updatedReplicas").asInt(0) + " Updated");
            }
            default -> {
                t.field("Desired Number of Nodes Scheduled", status.path("desiredNumberScheduled").asText("0"));
                t.field("Current Number of Nodes Scheduled", status.path("currentNumberScheduled").asText("0"));
                t.field("Number of Nodes Scheduled with Up-to-date Pods",
                        status.path("updatedNumberScheduled").asText("0"));
                t.field("Number of Nodes Scheduled with Available Pods",
                        status.path("numberAvailable").asText("0"));
                t.field("Number of Nodes Misscheduled", status.path("numberMisscheduled").asText("0"));
            }
        }
        JsonNode template = spec.path("template");
        t.heading("", "Pod Template:");
        t.field("  ", "Labels", map(template.path("metadata").path("labels"), "\n"));
        t.heading("  ", "Containers:");
        for (JsonNode c : template.path("spec").path("containers")) {
            t.heading("   ", c.path("name").asText() + ":");
            t.field("    ", "Image", c.path("image").asText());
            resources(t, "    ", c.path("resources"));
        }
        conditions(t, status.path("conditions"), true);
    }

    private static void service(DescribeText t, JsonNode o) {
        JsonNode spec = o.path("spec");
        common(t, o);
        t.field("Selector", map(spec.path("selector"), ","));
        t.field("Type", spec.path("type").asText("ClusterIP"));
        t.field("IP", spec.path("clusterIP").asText());
        List<String> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            String name = p.path("name").asText();
            ports.add((name.isEmpty() ? "<unset>" : name) + "  " + p.path("port").asText() + "/"
                    + p.path("protocol").asText("TCP") + " -> " + p.path("targetPort").asText(p.path("port").asText()));
        }
        t.field("Port(s)", String.join("\n", ports));
        t.field("Session Affinity", spec.path("sessionAffinity").asText("None"));
    }

    private static void node(DescribeText t, JsonNode o) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        List<String> roles = new ArrayList<>();
        o.path("metadata").path("labels").fieldNames().forEachRemaining(k -> {
            if (k.startsWith("node-role.kubernetes.io/")) {
                roles.add(k.substring("node-role.kubernetes.io/".length()));
            }
        });
        t.field("Roles", String.join(",", roles));
        common(t, o);
        List<String> taints = new ArrayList<>();
        for (JsonNode taint : spec.path("taints")) {
            taints.add(taint.path("key").asText() + (taint.has("value") ? "=" + taint.path("value").asText() : "")
                    + ":" + taint.path("effect").asText());
        }
        t.field("Taints", String.join("\n", taints));
        t.field("Unschedulable", spec.path("unschedulable").asBoolean() ? "true" : "false");
        conditions(t, status.path("conditions"), true);
        t.heading("", "Addresses:");
        for (JsonNode a : status.path("addresses")) {
            t.field("  ", a.path("type").asText(), a.path("address").asText());
        }
        for (String section : new String[] {"capacity", "allocatable"}) {
            t.heading("", Character.toUpperCase(section.charAt(0)) + section.substring(1) + ":");
            status.path(section).fields().forEachRemaining(e -> t.field("  ", e.getKey(), e.getValue().asText()));
        }
        JsonNode info = status.path("nodeInfo");
        t.heading("", "System Info:");
        t.field("  ", "Kubelet Version", info.path("kubeletVersion").asText());
        t.field("  ", "OS Image", info.path("osImage").asText());
        t.field("  ", "Container Runtime Version", info.path("containerRuntimeVersion").asText());
    }

    private static void configMap(DescribeText t, JsonNode o, boolean showData) {
        common(t, o);
        t.heading("", "Data");
        t.heading("", "====");
        for (String section : new String[] {"data", "binaryData"}) {
            o.path(section).fields().forEachRemaining(e -> {
                t.heading("", e.getKey() + ":");
                t.heading("", "----");
                if (!showData) {
                    t.heading("", "<hidden: set configmaps: true in this env's k8s section to show it>");
                } else if (section.equals("binaryData")) {
                    t.heading("", "<binary: " + e.getValue().asText().length() + " base64 characters>");
                } else {
                    e.getValue().asText().lines().forEach(line -> t.heading("", line));
                }
                t.heading("", "");
            });
        }
    }

    private static void conditions(DescribeText t, JsonNode conditions, boolean withReason) {
        if (conditions.isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode c : conditions) {
            rows.add(withReason
                    ? List.of(c.path("type").asText(), c.path("status").asText(), c.path("reason").asText(""))
                    : List.of(c.path("type").asText(), c.path("status").asText()));
        }
        t.heading("", "Conditions:");
        t.table("  ", withReason ? List.of("Type", "Status", "Reason") : List.of("Type", "Status"), rows);
    }

    private static void events(DescribeText t, List<JsonNode> events, Instant now) {
        if (events.isEmpty()) {
            t.heading("", "Events:  <none>");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : events) {
            Instant last = ObjectFields.eventTime(e);
            String age = last == null ? "<unknown>" : age(last, now);
            int count = e.path("count").asInt(1);
            Instant first = ObjectFields.time(e.get("firstTimestamp"));
            if (count > 1 && first != null) {
                age += " (x" + count + " over " + age(first, now) + ")";
            }
            String from = e.path("source").path("component").asText(e.path("reportingComponent").asText(""));
            rows.add(List.of(e.path("type").asText(), e.path("reason").asText(), age, from,
                    e.path("message").asText("").strip().replace('\n', ' ')));
        }
        t.heading("", "Events:");
        t.table("  ", List.of("Type", "Reason", "Age", "From", "Message"), rows);
    }

    /** kubectl's short human durations: 45s, 5m, 3h, 2d. */
    static String age(Instant then, Instant now) {
        long s = Math.max(0, Duration.between(then, now).getSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 3 * 3600) {
            return s / 60 + "m";
        }
        if (s < 48 * 3600) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }

    private static String time(JsonNode node) {
        Instant t = ObjectFields.time(node);
        return t == null ? "" : TIME.format(t);
    }

    private static String map(JsonNode map, String separator) {
        List<String> out = new ArrayList<>();
        map.fields().forEachRemaining(e -> out.add(e.getKey() + "=" + e.getValue().asText()));
        return String.join(separator, out);
    }

    private static String annotations(JsonNode annotations) {
        List<String> out = new ArrayList<>();
        annotations.fields().forEachRemaining(e -> {
            if (!e.getKey().equals(LAST_APPLIED)) {
                out.add(e.getKey() + ": " + e.getValue().asText());
            }
        });
        return out.stream().collect(Collectors.joining("\n"));
    }

    private static String controller(JsonNode o) {
        for (JsonNode owner : o.path("metadata").path("ownerReferences")) {
            if (owner.path("controller").asBoolean()) {
                return owner.path("kind").asText() + "/" + owner.path("name").asText();
            }
        }
        return "";
    }
}
