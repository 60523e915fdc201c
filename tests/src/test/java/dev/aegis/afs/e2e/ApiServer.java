package dev.aegis.afs.e2e;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import okhttp3.mockwebserver.MockWebServer;

/**
 * The Kubernetes API server of the end-to-end tests: fabric8's {@code KubernetesMockServer} in CRUD
 * mode on loopback, with ready deployments and, on request, a stand-in for the deployment
 * controller that makes a deployment's pods ready as it is scaled. {@link #close()} stops it all.
 */
final class ApiServer implements AutoCloseable {

    private final MockWebServer web = new MockWebServer();
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private Thread controller;

    /** @param userAgent the test's own client's User-Agent, so the request log tells its calls from the system's */
    private ApiServer(String userAgent) {
        server = new KubernetesMockServer(new Context(), web, new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(server.createClient().getConfiguration())
                .withUserAgent(userAgent).build()).build();
    }

    static ApiServer start(String userAgent) {
        return new ApiServer(userAgent);
    }

    /** The test's client (its requests carry the test's User-Agent). */
    KubernetesClient client() {
        return client;
    }

    /** What the harness, the agent or the mount is configured with. */
    String masterUrl() {
        return client.getMasterUrl().toString();
    }

    /** Every request the server received, for tests that check what reached the API server. */
    MockWebServer requests() {
        return web;
    }

    /** Creates a deployment with {@code replicas} pods, all ready. */
    void deployment(String namespace, String name, int replicas, Map<String, String> labels) {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
                .endTemplate().endSpec()
                .withNewStatus().withReplicas(replicas).withReadyReplicas(replicas).endStatus().build();
        client.apps().deployments().inNamespace(namespace).resource(d).create();
    }

    int replicas(String namespace, String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get().getSpec().getReplicas();
    }

    /** Starts the stand-in controller: the pods of {@code namespace/name} become ready as it is scaled. */
    synchronized void followReadiness(String namespace, String name) {
        controller = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
                    if (d != null && !d.getSpec().getReplicas().equals(d.getStatus().getReadyReplicas())) {
                        d.getStatus().setReadyReplicas(d.getSpec().getReplicas());
                        d.getStatus().setReplicas(d.getSpec().getReplicas());
                        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
                    }
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the next round tries again
                }
            }
        }, "e2e-deployment-controller");
        controller.setDaemon(true);
        controller.start();
    }

    @Override
    public synchronized void close() {
        if (controller != null) {
            controller.interrupt();
        }
        client.close();
        server.destroy();
    }
}
