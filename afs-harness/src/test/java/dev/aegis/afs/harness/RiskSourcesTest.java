package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.ALICE;
import static dev.aegis.afs.harness.HarnessFixture.plan;
import static dev.aegis.afs.harness.HarnessFixture.pointer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.git.ConfigRepo;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The risk report's other sources, on the CRUD KubernetesMockServer: Ingresses routing to a
 * Service of the target widen its blast radius as callers in traces do; commits naming the
 * target and its rollouts are its recent changes; the same action failing on similar targets in
 * the ledger is a poor history; and the threshold is harness.yaml's, readable from CEL.
 */
class RiskSourcesTest {

    @TempDir
    Path dir;

    private HarnessFixture f;

    @AfterEach
    void tearDown() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    /** payment-api behind Service "payments" and two Ingresses; ledger behind Service "ledger" and none. */
    private void cluster(String extraProd) throws Exception {
        f = new HarnessFixture(dir);
        if (!extraProd.isEmpty()) {
            String ns = HarnessFixture.NAMESPACES.replace("        namespaces: [payments]\n    staging:",
                    "        namespaces: [payments]\n" + extraProd + "    staging:");
            if (ns.equals(HarnessFixture.NAMESPACES)) {
                throw new AssertionError("the fixture's namespaces.yaml changed shape");
            }
            Files.writeString(dir.resolve("namespaces.yaml"), ns);
        }
        Deployment pay = f.cluster.deployment("payments", "payment-api", 5, 5, "256Mi");
        f.cluster.deployment("payments", "ledger", 5, 5, "256Mi");
        var k = f.cluster.client;
        for (String svc : List.of("payments", "ledger")) {
            k.services().inNamespace("payments").resource(new ServiceBuilder().withNewMetadata().withName(svc).endMetadata()
                    .withNewSpec().withSelector(Map.of("app", svc.equals("payments") ? "payment-api" : "ledger")).endSpec()
                    .build()).create();
        }
        for (String[] ing : List.of(new String[] {"shop", "shop.example.com"}, new String[] {"partners", "api.partner.example.com"})) {
            k.network().v1().ingresses().inNamespace("payments").resource(new IngressBuilder()
                    .withNewMetadata().withName(ing[0]).endMetadata()
                    .withNewSpec().addNewRule().withHost(ing[1]).withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                    .withNewBackend().withNewService().withName("payments").withNewPort().withNumber(80).endPort().endService()
                    .endBackend().endPath().endHttp().endRule().endSpec().build()).create();
        }
        // two rollouts of payment-api (the mock server stamps them with its own creation time, now)
        for (int rev = 1; rev <= 2; rev++) {
            k.apps().replicaSets().inNamespace("payments").resource(new ReplicaSetBuilder()
                    .withNewMetadata().withName("payment-api-r" + rev).withAnnotations(Map.of("deployment.kubernetes.io/revision", Integer.toString(rev)))
                    .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("payment-api")
                    .withUid(pay.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
                    .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("app")
                    .withImage("payment-api:1.4." + rev).endContainer().endSpec().endTemplate().endSpec().build()).create();
        }
    }

    private StoredRequest restart(String name, String key) throws Exception {
        String doc = plan("prod", 0.9, pointer(f.snapshot(5), "1-5"),
                "  - {tool: restart, target: {kind: Deployment, name: " + name + "}, idempotency_key: " + key + "}\n", "");
        return f.get(f.submit(doc, AGENT).request().id());
    }

    @Test
    void twoIngressesRoutingToTheTargetNeedOneMoreApprovalThanALeaf() throws Exception {
        cluster("");
        f.open();
        StoredRequest hub = restart("payment-api", "inc1-restart-pay");
        StoredRequest leaf = restart("ledger", "inc1-restart-ledger");
        assertEquals(2, hub.requiredApprovals(), HarnessFixture.joined(hub));
        assertEquals(1, leaf.requiredApprovals(), HarnessFixture.joined(leaf));
        assertTrue(hub.gates().orElseThrow().notes().contains("risk: action 0: 2 services depend on payments/Deployment/payment-api"
                + " (ingress/partners api.partner.example.com, ingress/shop shop.example.com); one more approval"
                + " (cat /change_requests/" + hub.id() + ".risk)"), String.join("\n", hub.gates().orElseThrow().notes()));
        String risk = f.harness.risk(hub.id(), f.p(ALICE));
        assertTrue(risk.contains("""
                  known_as:
                  - payment-api
                  - payments
                  blast_radius:
                    known: no_traces
                    wide: true
                    dependants:
                    - service: ingress/partners
                      via: ingress
                      hosts:
                      - api.partner.example.com
                    - service: ingress/shop
                      via: ingress
                      hosts:
                      - shop.example.com
                """), risk);
        assertTrue(risk.contains("- source: rollout\n") && risk.contains("what: revision 2 (payment-api:1.4.2)"), risk);
        String leafRisk = f.harness.risk(leaf.id(), f.p(ALICE));
        assertTrue(leafRisk.contains("dependants: []") && leafRisk.contains("adds_approval: false"), leafRisk);

        // a day and more after the rollouts they are no longer recent (policy.risk.recent_changes, default 24h)
        f.clock.advance(java.time.Duration.between(HarnessFixture.START, java.time.Instant.now().plus(java.time.Duration.ofDays(2))));
        String later = f.harness.risk(restart("payment-api", "inc1-restart-pay-later").id(), f.p(ALICE));
        assertTrue(!later.contains("source: rollout"), later);
    }

    @Test
    void aCommitNamingTheTargetIsARecentChange() throws Exception {
        ConfigRepo repo = ConfigRepo.create(Files.createDirectories(dir.resolve("git")), HarnessFixture.START);
        cluster("      config: {backend: deploy, path: envs/prod}\n");
        Files.writeString(dir.resolve("namespaces.yaml"), Files.readString(dir.resolve("namespaces.yaml"))
                .replace("teams:\n", "backends:\n  deploy: {type: git, repo: " + repo.bare + "}\nteams:\n"));
        f.open();
        String risk = f.harness.risk(restart("payment-api", "inc1-restart-pay").id(), f.p(ALICE));
        assertTrue(risk.contains("config_history: git:deploy envs/prod"), risk);
        assertTrue(risk.contains("- source: git\n    at: 2026-11-18T11:40:00Z\n    what: \"" + repo.poolChange.substring(0, 12)
                + " carol: payment-api: db pool 50 -> 10 (envs/prod/payment-api/values.yaml)\""), risk);
        String leaf = f.harness.risk(restart("ledger", "inc1-restart-ledger").id(), f.p(ALICE));
        assertTrue(leaf.contains("recent_changes: []"), "a commit that does not name ledger is not its change:\n" + leaf);
    }

    @Test
    void theSameActionFailingOnSimilarTargetsIsAPoorHistory() throws Exception {
        cluster("");
        f.open();
        // three earlier executed restarts of Deployments in payments: two failed or were rolled back
        earlierRestarts(List.of("SUCCEEDED", "FAILED", "ROLLED_BACK"), "DONE");
        StoredRequest leaf = restart("ledger", "inc1-restart-ledger");
        assertEquals(2, leaf.requiredApprovals(), HarnessFixture.joined(leaf));
        assertTrue(leaf.gates().orElseThrow().notes().contains("risk: action 0: restart of Deployments in payments failed 2 of 3"
                + " times in the ledger (67%); one more approval (cat /change_requests/" + leaf.id() + ".risk)"),
                String.join("\n", leaf.gates().orElseThrow().notes()));
        assertTrue(leaf.gates().orElseThrow().approvalRule().contains("+1 for a poor history"), leaf.gates().orElseThrow().approvalRule());
        StoredRequest scale = f.get(f.submit(plan("prod", 0.9, pointer(f.snapshot(5), "1-5"),
                HarnessFixture.scale("ledger", 6, "inc1-scale"), ""), AGENT).request().id());
        assertEquals(0, scale.requiredApprovals(), "another tool has its own history: " + HarnessFixture.joined(scale));
    }

    @Test
    void restartsAnAgentRefusedOrNeverRanAreNoHistory() throws Exception {
        cluster("");
        f.open();
        // three earlier restarts that failed without running: forged intents the agent refused, one never started
        earlierRestarts(List.of("FAILED", "ROLLED_BACK", "FAILED"), "REFUSED");
        earlierRestarts(List.of("FAILED"), "NOT_RUN");
        StoredRequest leaf = restart("ledger", "inc1-restart-ledger");
        assertEquals(1, leaf.requiredApprovals(), HarnessFixture.joined(leaf));
        assertFalse(leaf.gates().orElseThrow().approvalRule().contains("poor history"), leaf.gates().orElseThrow().approvalRule());
    }

    /** Earlier executed requests, one a state, each with one restart of a Deployment in payments whose action ended so. */
    private void earlierRestarts(List<String> states, String actionStatus) throws Exception {
        for (String state : states) {
            String id = "old-" + actionStatus + "-" + state + "-" + System.nanoTime();
            f.harness.store().inTransaction(tx -> {
                tx.update("INSERT INTO requests(id, incident, team, env, submitter, submitter_person, state, mode, document, "
                        + "doc_sha, created_ms, updated_ms) VALUES (?, 'INC-0', 'payments', 'prod', 'unix:1000@h', 'user:agent', ?,"
                        + " 'EXECUTE', 'doc', ?, ?, ?)", id, state, "sha-" + id, HarnessFixture.START.toEpochMilli() - 86_400_000L,
                        HarnessFixture.START.toEpochMilli() - 86_400_000L);
                tx.update("INSERT INTO actions(request_id, idx, idempotency_key, tool, target, status) VALUES (?, 0, ?, 'restart',"
                        + " ?, ?)", id, "key-" + id, "payments/Deployment/svc-" + id, actionStatus);
                return null;
            });
        }
    }

    @Test
    void theThresholdIsConfigurableAndCelReadsIt() throws Exception {
        cluster("");
        f.policy = new HarnessConfig.Policy(java.time.Duration.ofHours(1), 0.7, 10, 3, java.time.Duration.ofHours(1), 10, false,
                new RiskPolicy(3, 0.5, 3, java.time.Duration.ofDays(30), java.time.Duration.ofHours(24)));
        Files.writeString(dir.resolve("namespaces.yaml"), Files.readString(dir.resolve("namespaces.yaml")).replace(
                "        namespaces: [payments]\n    staging:", "        namespaces: [payments]\n        guardrails: {extra: "
                        + "{no_wide_restart: \"action.tool != 'restart' || target.dependants + 1 < target.wide_blast_radius_from\"}}\n"
                        + "    staging:"));
        f.open();
        StoredRequest hub = restart("payment-api", "inc1-restart-pay");
        assertEquals(State.REJECTED, hub.state(), HarnessFixture.joined(hub));
        assertTrue(HarnessFixture.joined(hub).contains("no_wide_restart"), HarnessFixture.joined(hub));
        StoredRequest leaf = restart("ledger", "inc1-restart-ledger");
        assertEquals(State.PENDING_APPROVAL, leaf.state(), HarnessFixture.joined(leaf));
        assertEquals(1, leaf.requiredApprovals());
        assertTrue(f.harness.risk(hub.id(), f.p(ALICE)).contains("wide_blast_radius_from: 3"));
        assertTrue(f.harness.risk(hub.id(), f.p(ALICE)).contains("wide: false"), "2 dependants are under 3");
    }

    @Test
    void harnessYamlSetsTheRiskPolicy() {
        HarnessConfig c = HarnessConfig.parse(dev.aegis.afs.core.config.ConfigReader.parse("harness.yaml",
                "data_dir: d\nnamespaces: n.yaml\npolicy: {risk: {wide_blast_radius: 4, poor_history: {failure_rate: 0.25,"
                        + " min_actions: 5}, history: 7d, recent_changes: 2h}}\n"), dir);
        assertEquals(new RiskPolicy(4, 0.25, 5, java.time.Duration.ofDays(7), java.time.Duration.ofHours(2)), c.policy().risk());
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> HarnessConfig.parse(
                dev.aegis.afs.core.config.ConfigReader.parse("harness.yaml",
                        "data_dir: d\nnamespaces: n.yaml\npolicy: {risk: {wide_blast: 4}}\n"), dir));
        assertTrue(e.getMessage().contains("wide_blast"), e.getMessage());
    }
}
