package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.TimestampMode;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.EnvSection;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code k8s:} section of an env:
 * <pre>
 * k8s:
 *   backend: prod-cluster      # a backend of type kubernetes
 *   namespace: payments        # default: the context's namespace, else "default"
 *   kinds: [pods, deployments] # default: pods, deployments, statefulsets, daemonsets, services, events
 *   configmaps: false          # true shows ConfigMap data (and the configmaps kind)
 *   timestamp: prefix          # pod log lines start with their time (default); none: bare lines
 * </pre>
 * {@code nodes} is cluster-scoped and shown only when listed. {@code secrets} is refused.
 */
public final class KubernetesSection implements EnvSection {

    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    @Override
    public String key() {
        return "k8s";
    }

    @Override
    public DirNode directory(EnvContext context, ConfigNode section) {
        section.allowOnly(Set.of("backend", "namespace", "kinds", "configmaps", TimestampMode.KEY));
        KubernetesBackend backend = context.backend(section, KubernetesBackend.class, "kubernetes");
        Optional<ConfigNode> ns = section.get("namespace");
        String namespace = ns.map(ConfigNode::asString).orElseGet(backend::defaultNamespace);
        if (ns.isPresent() && !NAMESPACE.matcher(namespace).matches()) {
            throw ns.get().error("'" + namespace + "' is not a namespace name; use lowercase letters, digits and"
                    + " '-' (at most 63), e.g. payments");
        }
        boolean configMapData = section.get("configmaps").map(ConfigNode::asBoolean).orElse(false);
        Set<Kind> kinds = section.get("kinds").map(KubernetesSection::kinds).orElse(EnumSet.copyOf(Kind.DEFAULTS));
        if (configMapData) {
            kinds.add(Kind.CONFIGMAPS);
        }
        // The kubelet knows every line's time, so auto means prefix here.
        boolean stamp = TimestampMode.parse(section.get(TimestampMode.KEY), TimestampMode.PREFIX) != TimestampMode.NONE;
        return new K8sDirectory(new ClusterView(backend, context, namespace, kinds, configMapData, stamp));
    }

    private static Set<Kind> kinds(ConfigNode node) {
        List<String> names = node.asStringList();
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        for (String name : names) {
            if (name.equals("secrets")) {
                throw node.error("kinds: secrets are never exposed by the file system, whatever the config says;"
                        + " remove 'secrets' (read a secret's metadata with kubectl if you must)");
            }
            Kind kind = Kind.named(name).orElseThrow(() -> node.error("unknown kind '" + name + "'; kinds are "
                    + Arrays.stream(Kind.values()).map(k -> k.plural).collect(Collectors.joining(", "))));
            kinds.add(kind);
        }
        return kinds;
    }
}
