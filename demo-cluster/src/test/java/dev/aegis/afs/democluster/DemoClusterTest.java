package dev.aegis.afs.democluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** The demo's API answers like a cluster for what the walk-through does, including dry runs. */
class DemoClusterTest {

    @Test
    void seedsTheDemoWorkloadsLabelledAsDemo() {
        try (DemoCluster cluster = DemoCluster.start(0)) {
            Deployment api = cluster.client().apps().deployments().inNamespace("payments").withName("payment-api").get();
            assertEquals(3, api.getSpec().getReplicas());
            assertEquals("true", api.getMetadata().getLabels().get(DemoCluster.DEMO_LABEL));
            assertEquals(3, cluster.client().pods().inNamespace("payments").withLabel("app", "payment-api").list().getItems().size());
        }
    }

    @Test
    void aDryRunAnswersTheChangedObjectButChangesNothing() {
        try (DemoCluster cluster = DemoCluster.start(0)) {
            var deployments = cluster.client().apps().deployments().inNamespace("payments");
            Deployment wouldBe = deployments.withName("payment-api").dryRun()
                    .edit(d -> { d.getSpec().setReplicas(5); return d; });
            assertEquals(5, wouldBe.getSpec().getReplicas());
            assertEquals(3, deployments.withName("payment-api").get().getSpec().getReplicas());
            cluster.client().pods().inNamespace("payments").withName("ledger-worker-7d9f8b-x2k4q").dryRun().delete();
            assertEquals("Running", cluster.client().pods().inNamespace("payments").withName("ledger-worker-7d9f8b-x2k4q")
                    .get().getStatus().getPhase());
            deployments.withName("payment-api").edit(d -> { d.getSpec().setReplicas(4); return d; });
            assertEquals(4, deployments.withName("payment-api").get().getSpec().getReplicas());
        }
    }
}
