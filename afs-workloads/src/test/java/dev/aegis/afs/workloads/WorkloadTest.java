package dev.aegis.afs.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    private static Deployment deployment(Integer replicas) {
        return new DeploymentBuilder().withNewMetadata().withName("api").withNamespace("payments").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewTemplate().withNewSpec()
                .addNewContainer().withName("app").withResources(new ResourceRequirementsBuilder()
                        .addToLimits("memory", new Quantity("256Mi")).addToLimits("cpu", new Quantity("1")).build()).endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    @Test
    void scaleChangesACopyNotTheObjectRead() {
        Deployment live = deployment(3);
        Workload copy = Workload.copy(live).setReplicas(5);
        assertEquals(5, copy.replicas());
        assertEquals(3, new Workload(live).replicas());
        assertEquals(1, new Workload(deployment(null)).replicas(), "unset replicas are the API server's default, 1");
        assertEquals(1, new Workload(new DaemonSetBuilder().withNewSpec().endSpec().build()).setReplicas(9).replicas());
    }

    @Test
    void restartStampsThePodTemplateAsKubectlRolloutRestartDoes() {
        Workload w = new Workload(deployment(2));
        assertNull(w.restartedAt());
        w.setRestartedAt("2026-12-02T10:00:00Z");
        assertEquals("2026-12-02T10:00:00Z", w.restartedAt());
        assertEquals("2026-12-02T10:00:00Z",
                w.template().getMetadata().getAnnotations().get("kubectl.kubernetes.io/restartedAt"));
    }

    @Test
    void setResourcesPutsTheGivenQuantitiesOverTheOthers() {
        Workload w = new Workload(deployment(2));
        ResourceRequirements before = w.container("app").orElseThrow().getResources();
        ResourceRequirements after = Workload.mergedResources(before, Map.of("limits", Map.of("memory", "512Mi"),
                "requests", Map.of("cpu", "250m")));
        assertEquals(new Quantity("512Mi"), after.getLimits().get("memory"));
        assertEquals(new Quantity("1"), after.getLimits().get("cpu"), "a resource not named is kept");
        assertEquals(new Quantity("250m"), after.getRequests().get("cpu"));
        assertEquals(new Quantity("256Mi"), before.getLimits().get("memory"), "the current requirements are not changed");
        assertTrue(w.container("sidecar").isEmpty());
    }
}
