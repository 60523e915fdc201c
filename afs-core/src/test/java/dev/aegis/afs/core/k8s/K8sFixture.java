package dev.aegis.afs.core.k8s;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A fabric8 mock API server on 127.0.0.1 in mixed mode (expectations first, then CRUD), a
 * {@code kubernetes} backend built from YAML against it, and helpers to walk and read the tree.
 */
final class K8sFixture implements AutoCloseable {

    static final Instant NOW = Instant.parse("2026-11-21T21:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final Caller CALLER = new Caller(1000, 1000, 42);

    final KubernetesMockServer server;
    final NamespacedKubernetesClient client;
    final Backend backend;
    private final Path evidence;

    K8sFixture(Path dir) throws IOException {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        client = server.createClient();
        backend = new KubernetesBackendType().create("cluster", ConfigReader.parse("namespaces.yaml",
                "type: kubernetes\nmaster_url: http://127.0.0.1:" + server.getPort() + "\ntimeout: 10s\n"),
                new BackendContext(dir, CLOCK, Map.<String, String>of()::get));
        evidence = dir.resolve("evidence");
    }

    /** The {@code k8s} directory of payments/prod, built from the section YAML. */
    DirNode section(String yaml) {
        EvidenceStore store = new EvidenceStore(evidence, Duration.ofHours(1), 64L << 20, CLOCK);
        EnvContext env = new EnvContext("payments", "prod", "/teams/payments/prod", Map.of("cluster", backend), Map.of(),
                new StoreCaptures(store), CLOCK, evidence.getParent());
        return new KubernetesSection().directory(env, ConfigReader.parse("namespaces.yaml", yaml));
    }

    DirNode section() {
        return section("backend: cluster\nnamespace: payments\n");
    }

    /** Walks down {@code segments} (a segment may carry a '?query'). */
    static Node walk(DirNode root, String... segments) throws AfsException {
        Node node = root;
        for (String segment : segments) {
            node = ((DirNode) node).child(segment, CALLER);
        }
        return node;
    }

    static List<String> names(DirNode dir) throws AfsException {
        List<String> names = new ArrayList<>();
        for (Node n : dir.list(CALLER)) {
            names.add(n.name() + (n instanceof DirNode ? "/" : ""));
        }
        return names;
    }

    static EvidenceRecord capture(Node file) throws AfsException {
        return assertInstanceOf(LiveFile.class, file).capture(CALLER);
    }

    static String read(Node file) throws Exception {
        return Files.readString(capture(file).file(), StandardCharsets.UTF_8);
    }

    /**
     * Answers {@code GET path} with {@code list} from now on. The mock's CRUD mode only evaluates
     * field selectors on metadata.name and metadata.namespace (it answers others with nothing), so
     * calls with other field selectors get the unfiltered list, as from a server that ignored them.
     */
    void serve(String path, Object list) {
        server.expect().get().withPath(path).andReturn(200, client.getKubernetesSerialization().asJson(list)).always();
    }

    /** Paths (with query) of the requests the server received since the last call. */
    List<String> requests() throws InterruptedException {
        List<String> paths = new ArrayList<>();
        for (RecordedRequest r = server.takeRequest(10, TimeUnit.MILLISECONDS); r != null;
                r = server.takeRequest(10, TimeUnit.MILLISECONDS)) {
            paths.add(r.getPath());
        }
        return paths;
    }

    @Override
    public void close() {
        try {
            backend.close();
            client.close();
        } finally {
            server.destroy();
        }
    }
}
