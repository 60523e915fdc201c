package dev.aegis.afs.core.k8s;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kinds a {@code k8s:} section can show, with their API paths. Secrets are deliberately not
 * here: there is no way to configure them into the tree.
 */
enum Kind {
    PODS("pods", "/api/v1", "Pod", true, Map.of("phase", "status.phase", "node", "spec.nodeName")),
    DEPLOYMENTS("deployments", "/apis/apps/v1", "Deployment", true, Map.of()),
    STATEFULSETS("statefulsets", "/apis/apps/v1", "StatefulSet", true, Map.of()),
    DAEMONSETS("daemonsets", "/apis/apps/v1", "DaemonSet", true, Map.of()),
    SERVICES("services", "/api/v1", "Service", true, Map.of()),
    EVENTS("events", "/api/v1", "Event", true, Map.of("type", "type", "reason", "reason",
            "object", "involvedObject.name", "kind", "involvedObject.kind")),
    CONFIGMAPS("configmaps", "/api/v1", "ConfigMap", true, Map.of()),
    NODES("nodes", "/api/v1", "Node", false, Map.of());

    /** Shown when {@code kinds} is not given. */
    static final List<Kind> DEFAULTS = List.of(PODS, DEPLOYMENTS, STATEFULSETS, DAEMONSETS,
            SERVICES, EVENTS);

    final String plural;
    final String apiPrefix;
    final String kind;
    final boolean namespaced;
    /** Selector term shorthands: key -> field path. */
    final Map<String, String> shorthands;

    Kind(String plural, String apiPrefix, String kind, boolean namespaced, Map<String, String> shorthands) {
        this.plural = plural;
        this.apiPrefix = apiPrefix;
        this.kind = kind;
        this.namespaced = namespaced;
        this.shorthands = shorthands;
    }

    static Optional<Kind> named(String plural) {
        return Arrays.stream(values()).filter(k -> k.plural.equals(plural)).findFirst();
    }

    /** The collection path, e.g. {@code /apis/apps/v1/namespaces/payments/deployments}. */
    String collection(String namespace) {
        return apiPrefix + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural;
    }

    String object(String namespace, String name) {
        return collection(namespace) + "/" + name;
    }
}
