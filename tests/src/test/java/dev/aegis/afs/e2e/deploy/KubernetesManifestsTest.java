package dev.aegis.afs.e2e.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every manifest under deploy/kubernetes parses into fabric8's typed model with no field left
 * over: fabric8 keeps an unknown or misspelled field in additionalProperties and says nothing,
 * and the API server would drop or refuse it, so a typo in a securityContext would silently
 * lose the hardening it was meant to add.
 */
class KubernetesManifestsTest {

    private static final Path DEPLOY = Path.of(System.getProperty("afs.repo", "..")).resolve("deploy/kubernetes");
    /** The cluster agent's manifest lives beside the base, in deploy/agent. */
    private static final Path AGENT = DEPLOY.resolveSibling("agent");

    static List<Path> manifests() throws Exception {
        try (Stream<Path> files = Stream.concat(Files.walk(DEPLOY), Files.walk(AGENT))) {
            return files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
    }

    static List<HasMetadata> parse(Path file) throws Exception {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                continue;
            }
            KubernetesResource r = Serialization.unmarshal(doc, KubernetesResource.class);
            assertFalse(r instanceof GenericKubernetesResource, file + ": a kind fabric8 does not model:\n" + doc);
            out.add((HasMetadata) r);
        }
        return out;
    }

    /** Paths of every object in the graph whose additionalProperties is not empty. */
    static List<String> leftovers(Object o, String path) throws Exception {
        List<String> found = new ArrayList<>();
        walk(o, path, found);
        return found;
    }

    private static void walk(Object o, String path, List<String> found) throws Exception {
        if (o == null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", found);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                walk(e.getValue(), path + "." + e.getKey(), found);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = m.invoke(o);
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    found.add(path + ": unknown field(s) " + new TreeSet<>(((Map<?, ?>) extra).keySet().stream()
                            .map(String::valueOf).toList()));
                }
                continue;
            }
            String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            walk(value, path + "." + name, found);
        }
    }

    @Test
    void everyManifestIsTypedWithNoUnknownField() throws Exception {
        List<Path> files = manifests();
        assertTrue(files.size() >= 6 && files.stream().anyMatch(f -> f.startsWith(AGENT)), "manifests found: " + files);
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            for (HasMetadata r : parse(file)) {
                problems.addAll(leftovers(r, DEPLOY.getParent().relativize(file) + ":" + r.getKind() + "/" + r.getMetadata().getName()));
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theCheckCatchesAMisspelledField() throws Exception {
        HasMetadata bad = Serialization.unmarshal("""
                apiVersion: v1
                kind: Pod
                metadata: {name: x}
                spec:
                  containers:
                    - name: c
                      image: i
                      securityContext: {readOnlyRootFilesytem: true}
                """, HasMetadata.class);
        assertEquals(List.of("Pod/x.spec.containers[0].securityContext: unknown field(s) [readOnlyRootFilesytem]"),
                leftovers(bad, "Pod/x"));
    }

    @Test
    void theKustomizationListsEveryBaseManifestAndNothingElse() throws Exception {
        Path base = DEPLOY.resolve("base");
        JsonNode k = new ObjectMapper(new YAMLFactory()).readTree(base.resolve("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        k.get("resources").forEach(n -> listed.add(n.asText()));
        Set<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.list(base)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .forEach(present::add);
        }
        assertEquals(present, listed);
    }

    @Test
    void theSidecarIsPrivilegedOnlyBecauseOfBidirectionalPropagationAndTheAgentIsNot() throws Exception {
        Deployment d = (Deployment) parse(DEPLOY.resolve("base/agent-with-mount-sidecar.yaml")).get(0);
        assertTrue(d.getSpec().getTemplate().getSpec().getShareProcessNamespace(), "pushdown needs the agent's pids");
        for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
            boolean bidirectional = c.getVolumeMounts().stream().anyMatch(v -> "Bidirectional".equals(v.getMountPropagation()));
            boolean privileged = c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged());
            assertEquals(bidirectional, privileged, c.getName() + ": Kubernetes accepts Bidirectional only when privileged");
        }
        Container agent = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("HostToContainer", agent.getVolumeMounts().get(0).getMountPropagation());
        assertEquals(List.of("ALL"), agent.getSecurityContext().getCapabilities().getDrop());
    }
}
