package dev.aegis.afs.democluster;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import okhttp3.mockwebserver.MockWebServer;

/**
 * A Kubernetes API for the demo only: fabric8's mock server in CRUD mode, in memory, on
 * loopback, seeded with the demo's workloads (namespace payments: payment-api and
 * ledger-worker with their pods). Every object carries the label {@value #DEMO_LABEL}=true, so
 * whatever shows it (a shadow diff, a status) says it is the demo.
 *
 * <pre>java -jar demo-cluster/target/demo-cluster.jar [--port 7781]</pre>
 */
public final class DemoCluster implements AutoCloseable {

    public static final String DEMO_LABEL = "aegis-afs.dev/demo";
    private static final Map<String, String> DEMO = Map.of(DEMO_LABEL, "true");

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private DemoCluster(KubernetesMockServer server, KubernetesClient client) {
        this.server = server;
        this.client = client;
    }

    /** Starts the API on 127.0.0.1:{@code port} (0: any free port) and seeds it. */
    public static DemoCluster start(int port) {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new DryRunAwareDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        KubernetesClient client = server.createClient();
        DemoCluster cluster = new DemoCluster(server, client);
        cluster.seed();
        return cluster;
    }

    public String url() {
        return client.getMasterUrl().toString();
    }

    public KubernetesClient client() {
        return client;
    }

    private void seed() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("payments").withLabels(DEMO)
                .endMetadata().build()).create();
        deployment("payment-api", "api", "registry.example/payment-api:2.3.0", 3, "1Gi",
                "6f7c9d", "x8k2p", "q4m7z", "t9w3b");
        deployment("ledger-worker", "worker", "registry.example/ledger-worker:1.9.4", 1, "512Mi", "7d9f8b", "x2k4q");
    }

    private void deployment(String name, String container, String image, int replicas, String memory, String hash,
                            String... podSuffixes) {
        Map<String, String> labels = new HashMap<>(DEMO);
        labels.put("app", name);
        var spec = new ContainerBuilder().withName(container).withImage(image)
                .withNewResources().addToRequests("memory", new Quantity(memory)).addToLimits("memory", new Quantity(memory))
                .endResources().build();
        client.apps().deployments().inNamespace("payments").resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace("payments").withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addToContainers(spec).endSpec().endTemplate().endSpec()
                .withNewStatus().withReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas)
                .withUpdatedReplicas(replicas).withObservedGeneration(1L).endStatus()
                .build()).create();
        for (String suffix : podSuffixes) {
            client.pods().inNamespace("payments").resource(new PodBuilder()
                    .withNewMetadata().withName(name + "-" + hash + "-" + suffix).withNamespace("payments")
                    .withLabels(labels).endMetadata()
                    .withNewSpec().addToContainers(spec).endSpec()
                    .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .endStatus().build()).create();
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 7781;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: java -jar demo-cluster.jar [--port 7781]");
                System.exit(2);
            }
        }
        DemoCluster cluster = start(port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "demo-cluster-stop"));
        System.out.println("DEMO Kubernetes API at " + cluster.url() + " (fabric8 mock server, in memory: not a cluster;"
                + " objects labelled " + DEMO_LABEL + "=true): namespace payments with deployments payment-api (3 replicas)"
                + " and ledger-worker (1)");
        System.out.flush();
        stopped.await();
    }
}
