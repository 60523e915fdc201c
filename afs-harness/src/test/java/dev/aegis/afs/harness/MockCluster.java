package dev.aegis.afs.harness;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import okhttp3.mockwebserver.MockWebServer;

/** A fabric8 mock API server in CRUD mode on 127.0.0.1, with a client. */
final class MockCluster implements AutoCloseable {

    final KubernetesMockServer server;
    final KubernetesClient client;
    final DryRunCrudDispatcher dispatcher = new DryRunCrudDispatcher();

    MockCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    /** A deployment with one container {@code app}, {@code ready} of {@code replicas} pods ready. */
    Deployment deployment(String ns, String name, int replicas, int ready, String memoryLimit) {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(ns).withUid("uid-" + name).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1")
                .withNewResources().addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity(memoryLimit)).endResources()
                .endContainer().endSpec().endTemplate()
                .endSpec()
                .withNewStatus().withReplicas(replicas).withReadyReplicas(ready).endStatus()
                .build();
        return client.apps().deployments().inNamespace(ns).resource(d).create();
    }

    Deployment get(String ns, String name) {
        return client.apps().deployments().inNamespace(ns).withName(name).get();
    }

    void setReady(String ns, String name, int ready) {
        client.apps().deployments().inNamespace(ns).withName(name).edit(d -> {
            d.getStatus().setReadyReplicas(ready);
            return d;
        });
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
