package dev.aegis.afs.core.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesBackendTypeTest {

    private static final String KUBECONFIG = """
            apiVersion: v1
            kind: Config
            current-context: staging
            contexts:
            - name: staging
              context: {cluster: staging, user: reader, namespace: payments-staging}
            - name: prod
              context: {cluster: prod, user: reader, namespace: payments}
            clusters:
            - name: staging
              cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
            - name: prod
              cluster: {server: "https://10.0.0.2:6443", insecure-skip-tls-verify: true}
            users:
            - name: reader
              user: {token: not-a-real-token}
            """;

    @TempDir
    Path dir;

    private Backend create(String yaml) {
        return new KubernetesBackendType().create("cluster", ConfigReader.parse("namespaces.yaml", yaml),
                new BackendContext(dir, K8sFixture.CLOCK, Map.<String, String>of()::get));
    }

    @Test
    void kubeconfigContextPicksServerAndNamespace() throws Exception {
        Files.writeString(dir.resolve("kubeconfig"), KUBECONFIG);
        try (KubernetesBackend b = (KubernetesBackend) create("type: kubernetes\nkubeconfig: kubeconfig\ncontext: prod\n")) {
            assertEquals("payments", b.defaultNamespace());
            assertEquals("kubernetes", b.type());
            assertEquals("kubernetes:cluster", b.label());
        }
        try (KubernetesBackend b = (KubernetesBackend) create("type: kubernetes\nkubeconfig: kubeconfig\n")) {
            assertEquals("payments-staging", b.defaultNamespace());
        }
    }

    @Test
    void unknownContextListsTheKnownOnes() throws Exception {
        Files.writeString(dir.resolve("kubeconfig"), KUBECONFIG);
        ConfigException e = assertThrows(ConfigException.class,
                () -> create("type: kubernetes\nkubeconfig: kubeconfig\ncontext: qa\n"));
        assertTrue(e.getMessage().contains("no kubeconfig context named 'qa' (known: prod, staging)"), e.getMessage());
        assertFalse(e.getMessage().contains("not-a-real-token"));
    }

    @Test
    void conflictingOrBadOptionsNameTheFix() {
        ConfigException inCluster = assertThrows(ConfigException.class,
                () -> create("type: kubernetes\nin_cluster: true\ncontext: prod\n"));
        assertTrue(inCluster.getMessage().contains("remove context/kubeconfig"), inCluster.getMessage());
        ConfigException notInPod = assertThrows(ConfigException.class, () -> create("type: kubernetes\nin_cluster: true\n"));
        assertTrue(notInPod.getMessage().contains("not running in a pod"), notInPod.getMessage());
        ConfigException url = assertThrows(ConfigException.class,
                () -> create("type: kubernetes\nmaster_url: https://admin:secret@10.0.0.1:6443\n"));
        assertTrue(url.getMessage().contains("without credentials"), url.getMessage());
        assertFalse(url.getMessage().contains("secret@"), url.getMessage());
        ConfigException key = assertThrows(ConfigException.class,
                () -> create("type: kubernetes\nmaster_url: http://127.0.0.1:1\ntoken: abc\n"));
        assertTrue(key.getMessage().contains("unknown key 'token'"), key.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> create("type: kubernetes\nkubeconfig: nope\n"));
        assertTrue(missing.getMessage().contains("cannot read kubeconfig"), missing.getMessage());
    }

    @Test
    void unreachableServerIsUnavailableNamingTheHost() throws Exception {
        try (KubernetesBackend b = (KubernetesBackend) create("type: kubernetes\nmaster_url: http://127.0.0.1:1\ntimeout: 5s\n")) {
            dev.aegis.afs.core.AfsException e = assertThrows(dev.aegis.afs.core.AfsException.class,
                    () -> b.getJson("/api/v1/namespaces/payments/pods"));
            assertEquals(dev.aegis.afs.core.AfsError.UNAVAILABLE, e.error());
            assertTrue(e.getMessage().startsWith("kubernetes cluster (127.0.0.1:1): cannot reach the API server"),
                    e.getMessage());
        }
    }
}
