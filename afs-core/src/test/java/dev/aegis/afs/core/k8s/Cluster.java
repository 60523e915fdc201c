package dev.aegis.afs.core.k8s;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The objects the tests create in namespace {@code payments}. */
final class Cluster {

    static final String NS = "payments";

    private Cluster() {
    }

    static String at(long minutesAgo) {
        return K8sFixture.NOW.minusSeconds(minutesAgo * 60).toString();
    }

    static void create(KubernetesClient client) {
        client.pods().inNamespace(NS).resource(crashingPod()).create();
        client.pods().inNamespace(NS).resource(pod("payment-api-2", "payment-api", "Running")).create();
        client.pods().inNamespace(NS).resource(pod("ledger-0", "ledger", "Failed")).create();
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName("payment-api").withNamespace(NS).addToLabels("app", "payment-api")
                .withCreationTimestamp(at(600)).endMetadata()
                .withNewSpec().withReplicas(3)
                .withNewSelector().addToMatchLabels("app", "payment-api").endSelector()
                .withNewStrategy().withType("RollingUpdate").endStrategy()
                .withNewTemplate().withNewMetadata().addToLabels("app", "payment-api").endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("registry.local/payment-api:1.4.2")
                .endContainer().endSpec().endTemplate().endSpec()
                .withNewStatus().withReplicas(3).withUpdatedReplicas(2).withAvailableReplicas(2)
                .withUnavailableReplicas(1)
                .addNewCondition().withType("Available").withStatus("False").withReason("MinimumReplicasUnavailable")
                .endCondition().endStatus()
                .build()).create();
        // Created out of time order: events.log must sort them.
        event(client, "e3", "Pod", "payment-api-1", "Warning", "BackOff", "Back-off restarting failed container api", 5, 7);
        event(client, "e1", "Pod", "payment-api-1", "Normal", "Pulled", "Container image already present on machine", 90, 1);
        event(client, "e2", "Pod", "ledger-0", "Warning", "Failed", "Error: ImagePullBackOff", 45, 1);
        event(client, "e4", "Deployment", "payment-api", "Normal", "ScalingReplicaSet", "Scaled up replica set to 3", 20, 1);
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("db-password")
                .withNamespace(NS).endMetadata().addToStringData("password", "hunter2").build()).create();
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("payment-config")
                .withNamespace(NS).endMetadata().addToData("DB_URL", "postgres://db.internal:5432/pay").build()).create();
    }

    private static void event(KubernetesClient client, String name, String kind, String object, String type, String reason, String message,
                              long minutesAgo, int count) {
        client.v1().events().inNamespace(NS).resource(new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewInvolvedObject().withKind(kind).withName(object).withNamespace(NS).endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message).withCount(count)
                .withFirstTimestamp(at(minutesAgo + (count > 1 ? 10 : 0))).withLastTimestamp(at(minutesAgo))
                .withNewSource().withComponent("kubelet").endSource()
                .build()).create();
    }

    static Pod pod(String name, String app, String phase) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", app)
                .withCreationTimestamp(at(120)).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("api")
                .withImage("registry.local/" + app + ":1.4.2").endContainer().endSpec()
                .withNewStatus().withPhase(phase).withPodIP("10.1.2.3").endStatus()
                .build();
    }

    private static Pod crashingPod() {
        return new PodBuilder(pod("payment-api-1", "payment-api", "Running"))
                .editMetadata()
                .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{\"big\":\"json\"}")
                .addToManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").withOperation("Update")
                        .withTime(at(3)).build())
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("payment-api-7d9f")
                .withUid("u1").withController(true).endOwnerReference()
                .endMetadata()
                .editSpec().editFirstContainer()
                .withNewResources().addToLimits("memory", new Quantity("512Mi"))
                .addToRequests("cpu", new Quantity("100m")).endResources()
                .addNewPort().withContainerPort(8080).withProtocol("TCP").endPort()
                .endContainer().addNewContainer().withName("sidecar").withImage("registry.local/envoy:1.30")
                .endContainer().endSpec()
                .editStatus()
                .addToContainerStatuses(new ContainerStatusBuilder().withName("api").withReady(false).withRestartCount(3)
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
                        .withNewLastState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
                        .withStartedAt(at(8)).withFinishedAt(at(6)).endTerminated().endLastState()
                        .build())
                .addToContainerStatuses(new ContainerStatusBuilder().withName("sidecar").withReady(true)
                        .withRestartCount(0).withNewState().withNewRunning().withStartedAt(at(100)).endRunning()
                        .endState().build())
                .endStatus()
                .build();
    }
}
