package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.traces.LocalZipkin;
import dev.aegis.afs.core.traces.ShopTraces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The risk report reads the service graph from a real Zipkin holding {@link ShopTraces}: a restart
 * of payment-api (called by frontend and checkout) names both and needs one more approval than the
 * same restart of ledger (called by payment-api only); a graph that cannot be read counts as wide.
 */
class RiskReportTest {

    private static LocalZipkin zipkin;

    @TempDir
    Path dir;

    private HarnessFixture f;
    private EvidenceRecord ev;

    @BeforeAll
    static void startZipkin() throws Exception {
        assumeTrue(LocalZipkin.jar().isPresent(), "the zipkin-server exec jar is not on the test classpath");
        zipkin = LocalZipkin.start();
        zipkin.post(ShopTraces.json(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
        Thread.sleep(500); // Zipkin stores posted spans asynchronously
    }

    @AfterAll
    static void stopZipkin() {
        if (zipkin != null) {
            zipkin.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        f = new HarnessFixture(dir);
        String ns = HarnessFixture.NAMESPACES.replace("teams:\n", "backends:\n  zipkin: {type: zipkin, url: "
                + zipkin.url() + ", retries: 0, timeout: 10s}\n  gone: {type: zipkin, url: 'http://127.0.0.1:9', retries: 0}\nteams:\n")
                .replace("        namespaces: [payments]\n    staging:",
                        "        namespaces: [payments]\n      traces: {backend: zipkin}\n    staging:")
                .replace("    lonely:\n", "    edge:\n"
                        + "      access: {read: [uid:1000, uid:2001, uid:2002]}\n"
                        + "      changes: {mode: execute, allow: [restart], approvers: [uid:2001, uid:2002], namespaces: [payments]}\n"
                        + "      traces: {backend: gone}\n"
                        + "    lonely:\n");
        if (!ns.contains("traces: {backend: zipkin}") || !ns.contains("edge:")) {
            throw new AssertionError("the fixture's namespaces.yaml changed shape:\n" + ns);
        }
        Files.writeString(dir.resolve("namespaces.yaml"), ns);
        f.cluster.deployment("payments", "payment-api", 5, 5, "256Mi");
        f.cluster.deployment("payments", "ledger", 5, 5, "256Mi");
        f.open();
        ev = f.snapshot(5);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private StoredRequest restart(String env, String name, String key) throws Exception {
        String doc = plan(env, 0.9, env.equals("prod") ? pointer(ev, "1-5") : pointer(f.snapshot(env, 5), "1-5"),
                "  - {tool: restart, target: {kind: Deployment, name: " + name + "}, idempotency_key: " + key + "}\n", "");
        return f.submit(doc, AGENT).request();
    }

    @Test
    void aServiceTwoOthersDependOnNeedsOneMoreApprovalThanALeaf() throws Exception {
        StoredRequest hub = restart("prod", "payment-api", "inc1-restart-pay");
        StoredRequest leaf = restart("prod", "ledger", "inc1-restart-ledger");
        assertEquals(State.PENDING_APPROVAL, hub.state(), HarnessFixture.joined(hub));
        assertEquals(2, hub.requiredApprovals());
        assertEquals(1, leaf.requiredApprovals(), HarnessFixture.joined(leaf));
        assertTrue(hub.gates().orElseThrow().notes().contains("risk: action 0: 2 services depend on payments/Deployment/payment-api"
                + " (checkout 67%, frontend 33%); one more approval (cat /change_requests/" + hub.id() + ".risk)"),
                HarnessFixture.joined(hub));
        assertTrue(leaf.gates().orElseThrow().notes().stream().noneMatch(r -> r.startsWith("risk:")), HarnessFixture.joined(leaf));

        String risk = f.harness.risk(hub.id(), f.p(ALICE));
        assertTrue(risk.contains("""
                  blast_radius:
                    known: known
                    wide: true
                    dependants:
                    - service: checkout
                      calls: 2
                      errors: 0
                      traffic_share: 0.667
                    - service: frontend
                      calls: 1
                      errors: 1
                      traffic_share: 0.333
                  recent_changes: []
                  counterfactual_impact:
                    affected_services:
                    - payment-api
                    - checkout
                    - frontend
                    replicas: 5
                    ready_replicas: 5
                    pods_down_at_once: 1
                    expected_unavailable: 0.2
                    same_action_on_similar_targets:
                      similar: Deployments in payments
                      finished: 0
                      failed: 0
                      failure_rate: 0.0
                      poor: false
                  adds_approval: true
                """), risk);
        assertTrue(risk.contains("service_graph: zipkin:zipkin GET /api/v2/dependencies?endTs="), risk);
        assertTrue(f.harness.risk(leaf.id(), f.p(ALICE)).contains("- service: payment-api"));
    }

    @Test
    void anUnreadableGraphCountsAsAWideBlastRadius() throws Exception {
        StoredRequest r = restart("edge", "ledger", "inc1-restart-edge");
        assertEquals(2, r.requiredApprovals(), HarnessFixture.joined(r));
        assertTrue(r.gates().orElseThrow().notes().stream().anyMatch(x -> x.startsWith("risk: action 0: the blast radius of payments/Deployment/ledger"
                + " is unknown (the service graph could not be read: zipkin gone (127.0.0.1:9)")), HarnessFixture.joined(r));
    }
}
