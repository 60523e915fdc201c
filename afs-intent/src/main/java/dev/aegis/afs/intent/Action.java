package dev.aegis.afs.intent;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What an intent orders, before it is signed: which cluster ({@code aud}), which request and
 * action of the control plane, the tool ({@code scale}, {@code restart}, {@code set_resources},
 * ...), its target and parameters, shadow or execute, the sha256 of the evidence set the
 * control plane checked, and the idempotency key that makes a re-leased action run once.
 */
public record Action(String cluster, String requestId, String actionId, String tool, Target target,
                     Map<String, Object> parameters, Mode mode, String evidenceHash, String idempotencyKey) {

    public Action {
        requireNonNull(cluster, "cluster is null");
        requireNonNull(requestId, "requestId is null");
        requireNonNull(actionId, "actionId is null");
        requireNonNull(tool, "tool is null");
        requireNonNull(target, "target is null");
        requireNonNull(parameters, "parameters is null");
        requireNonNull(mode, "mode is null");
        requireNonNull(evidenceHash, "evidenceHash is null");
        requireNonNull(idempotencyKey, "idempotencyKey is null");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** The Kubernetes object acted on; {@code container} only for per-container tools. */
    public record Target(String kind, String namespace, String name, Optional<String> container) {
        public Target {
            requireNonNull(kind, "kind is null");
            requireNonNull(namespace, "namespace is null");
            requireNonNull(name, "name is null");
            requireNonNull(container, "container is null");
        }

        public Target(String kind, String namespace, String name) {
            this(kind, namespace, name, Optional.empty());
        }

        @Override
        public String toString() {
            return kind + " " + namespace + "/" + name + container.map(c -> " container " + c).orElse("");
        }
    }

    /** Shadow: a server-side dry run only. Execute: the change is made. */
    public enum Mode {
        SHADOW, EXECUTE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Mode> of(String wire) {
            for (Mode m : values()) {
                if (m.wireName().equals(wire)) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }
    }
}
