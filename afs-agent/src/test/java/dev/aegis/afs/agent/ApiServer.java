package dev.aegis.afs.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * fabric8's mock API server in CRUD mode on 127.0.0.1, recording every request the agent sends.
 * Two things a real API server does that the CRUD mock does not are added: a PUT whose
 * resourceVersion is not the stored one gets 409 Conflict, and {@code dryRun=All} answers the
 * would-be object without storing it.
 */
final class ApiServer implements AutoCloseable {

    /** One request as the server saw it. */
    record Seen(String method, String path, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final KubernetesMockServer server;
    final KubernetesClient client;
    volatile boolean serveStaleOnce;
    /** When set, a (non-dry-run) PUT is applied, then its answer is held until this opens. */
    volatile java.util.concurrent.CountDownLatch holdPutAnswer;
    final java.util.concurrent.CountDownLatch putApplied = new java.util.concurrent.CountDownLatch(1);

    ApiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    /** A deployment with container {@code app}, {@code ready} of {@code replicas} pods ready. */
    Deployment deployment(String ns, String name, int replicas, int ready) {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(ns).withUid("uid-" + name).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1")
                .withNewResources().addToLimits("memory", new Quantity("256Mi")).endResources()
                .endContainer().endSpec().endTemplate()
                .endSpec()
                .withNewStatus().withReplicas(replicas).withReadyReplicas(ready).endStatus()
                .build();
        Deployment created = client.apps().deployments().inNamespace(ns).resource(d).create();
        seen.clear();
        return created;
    }

    Deployment get(String ns, String name) {
        return client.apps().deployments().inNamespace(ns).withName(name).get();
    }

    /** What a deployment controller would do: ready pods follow spec.replicas. */
    void podsBecomeReady(String ns, String name) {
        client.apps().deployments().inNamespace(ns).withName(name).edit(d -> {
            d.getStatus().setReadyReplicas(d.getSpec().getReplicas());
            return d;
        });
    }

    List<Seen> writes() {
        return seen.stream().filter(s -> !s.method().equals("GET")).toList();
    }

    void forget() {
        seen.clear();
    }

    private final class Dispatcher extends KubernetesCrudDispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String body = request.getBody().clone().readUtf8();
            seen.add(new Seen(request.getMethod(), request.getPath(), body));
            String path = request.getPath();
            String plain = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            try {
                if (request.getMethod().equals("GET") && serveStaleOnce && plain.contains("/deployments/")) {
                    serveStaleOnce = false;
                    MockResponse current = handleGet(plain);
                    ObjectNode o = (ObjectNode) JSON.readTree(current.getBody().readUtf8());
                    ((ObjectNode) o.get("metadata")).put("resourceVersion", "0");
                    return new MockResponse().setResponseCode(200).setBody(o.toString());
                }
                if (request.getMethod().equals("PUT")) {
                    MockResponse current = handleGet(plain);
                    if (current.getBody() != null) {
                        JsonNode stored = JSON.readTree(current.getBody().readUtf8());
                        JsonNode sent = JSON.readTree(body);
                        String rv = sent.path("metadata").path("resourceVersion").asText("");
                        if (!rv.isEmpty() && !rv.equals(stored.path("metadata").path("resourceVersion").asText())) {
                            return new MockResponse().setResponseCode(409).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                                    + "\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409,\"message\":\"the object has been"
                                    + " modified; please apply your changes to the latest version and try again\"}");
                        }
                        if (path.contains("dryRun=All")) {
                            return new MockResponse().setResponseCode(200).setBody(body);
                        }
                        if (holdPutAnswer != null) {
                            MockResponse applied = super.dispatch(request);
                            putApplied.countDown();
                            holdPutAnswer.await(60, java.util.concurrent.TimeUnit.SECONDS);
                            return applied;
                        }
                    }
                }
            } catch (Exception e) {
                return new MockResponse().setResponseCode(500).setBody(e.toString());
            }
            return super.dispatch(request);
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
