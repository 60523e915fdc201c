package dev.aegis.afs.core.k8s;

import static dev.aegis.afs.core.k8s.K8sFixture.CALLER;
import static dev.aegis.afs.core.k8s.K8sFixture.capture;
import static dev.aegis.afs.core.k8s.K8sFixture.names;
import static dev.aegis.afs.core.k8s.K8sFixture.read;
import static dev.aegis.afs.core.k8s.K8sFixture.walk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class K8sTreeTest {

    @TempDir
    Path dir;
    K8sFixture k8s;
    DirNode root;

    @BeforeEach
    void start() throws Exception {
        k8s = new K8sFixture(dir);
        Cluster.create(k8s.client);
        root = k8s.section();
    }

    @AfterEach
    void stop() {
        k8s.close();
    }

    @Test
    void sectionListsTheDefaultKindsAndEventsLog() throws Exception {
        assertEquals(List.of("pods/", "deployments/", "statefulsets/", "daemonsets/", "services/", "events/",
                "events.log"), names(root));
        assertEquals("k8s", root.name());
    }

    @Test
    void podsAreFilesAndADirectoryWithLogs() throws Exception {
        DirNode pods = (DirNode) walk(root, "pods");
        assertEquals(List.of("ledger-0.yaml", "ledger-0.describe", "ledger-0/",
                "payment-api-1.yaml", "payment-api-1.describe", "payment-api-1/",
                "payment-api-2.yaml", "payment-api-2.describe", "payment-api-2/"), names(pods));
        assertEquals(List.of("logs/"), names((DirNode) walk(root, "pods", "payment-api-1")));
        // api restarted, so its previous run is listed; the sidecar did not.
        assertEquals(List.of("api.log", "api.previous.log", "sidecar.log"),
                names((DirNode) walk(root, "pods", "payment-api-1", "logs")));
    }

    @Test
    void listingsAreCachedBriefly() throws Exception {
        k8s.requests();
        DirNode pods = (DirNode) walk(root, "pods");
        names(pods);
        names(pods);
        walk(root, "pods", "payment-api-1.yaml").attributes(CALLER);
        names((DirNode) walk(root, "pods", "payment-api-1", "logs"));
        // One list call serves the listings, the lookups and the stat (ls -R, find).
        assertEquals(List.of("/api/v1/namespaces/payments/pods"), k8s.requests());
    }

    @Test
    void yamlIsTheObjectWithoutManagedFields() throws Exception {
        Node file = walk(root, "pods", "payment-api-1.yaml");
        EvidenceRecord record = capture(file);
        String yaml = java.nio.file.Files.readString(record.file());
        assertTrue(yaml.startsWith("apiVersion: v1\nkind: Pod\nmetadata:\n"), yaml);
        assertTrue(yaml.contains("  name: payment-api-1\n"), yaml);
        assertTrue(yaml.contains("image: registry.local/payment-api:1.4.2"), yaml);
        assertTrue(yaml.contains("reason: OOMKilled"), yaml);
        assertFalse(yaml.contains("managedFields"), yaml);
        assertEquals("GET /api/v1/namespaces/payments/pods/payment-api-1", record.query());
        assertEquals("kubernetes:cluster", record.backend());
        assertEquals("/teams/payments/prod/k8s/pods/payment-api-1.yaml", record.source());
    }

    @Test
    void describePodShowsContainersConditionsAndEvents() throws Exception {
        k8s.serve("/api/v1/namespaces/payments/events?fieldSelector=involvedObject.kind%3DPod%2CinvolvedObject.name"
                + "%3Dpayment-api-1", k8s.client.v1().events().inNamespace(Cluster.NS).list());
        EvidenceRecord record = capture(walk(root, "pods", "payment-api-1.describe"));
        String text = java.nio.file.Files.readString(record.file());
        List<String> lines = text.lines().toList();
        assertEquals("Name:             payment-api-1", lines.get(0));
        assertEquals("Namespace:        payments", lines.get(1));
        assertTrue(lines.contains("Status:           Running"), text);
        assertTrue(lines.contains("Controlled By:    ReplicaSet/payment-api-7d9f"), text);
        assertTrue(lines.contains("Annotations:      <none>"), "last-applied is not shown:\n" + text);
        assertTrue(lines.contains("Containers:"), text);
        assertTrue(lines.contains("  api:"), text);
        int api = lines.indexOf("  api:");
        assertEquals(List.of(
                "  api:",
                "    Image:          registry.local/payment-api:1.4.2",
                "    Port:           8080/TCP",
                "    State:          Waiting",
                "      Reason:       CrashLoopBackOff",
                "    Last State:     Terminated",
                "      Reason:       OOMKilled",
                "      Exit Code:    137",
                "      Started:      Sat, 21 Nov 2026 20:52:00 +0000",
                "      Finished:     Sat, 21 Nov 2026 20:54:00 +0000",
                "    Ready:          False",
                "    Restart Count:  3",
                "    Limits:",
                "      memory:  512Mi",
                "    Requests:",
                "      cpu:  100m"), lines.subList(api, api + 16));
        assertTrue(lines.contains("  sidecar:"), text);
        // Only this pod's events, oldest first, at the end.
        int events = lines.indexOf("Events:");
        assertEquals(List.of(
                "Events:",
                "  Type     Reason   Age               From     Message",
                "  ----     ------   ---               ----     -------",
                "  Normal   Pulled   90m               kubelet  Container image already present on machine",
                "  Warning  BackOff  5m (x7 over 15m)  kubelet  Back-off restarting failed container api"),
                lines.subList(events, lines.size()));
        assertEquals("GET /api/v1/namespaces/payments/pods/payment-api-1; GET /api/v1/namespaces/payments/events"
                + "?fieldSelector=involvedObject.kind%3DPod%2CinvolvedObject.name%3Dpayment-api-1", record.query());
    }

    @Test
    void describeDeploymentShowsReplicasAndConditions() throws Exception {
        k8s.serve("/api/v1/namespaces/payments/events?fieldSelector=involvedObject.kind%3DDeployment"
                + "%2CinvolvedObject.name%3Dpayment-api", k8s.client.v1().events().inNamespace(Cluster.NS).list());
        List<String> lines = read(walk(root, "deployments", "payment-api.describe")).lines().toList();
        assertTrue(lines.contains("Replicas:           3 desired | 2 updated | 3 total | 2 available | 1 unavailable"),
                String.join("\n", lines));
        assertTrue(lines.contains("Selector:           app=payment-api"), String.join("\n", lines));
        assertTrue(lines.contains("  Available  False   MinimumReplicasUnavailable"), String.join("\n", lines));
        assertTrue(lines.contains("  Normal  ScalingReplicaSet  20m  kubelet  Scaled up replica set to 3"),
                String.join("\n", lines));
    }

    @Test
    void describeWithoutEventsPermissionSaysSoAndIsMarkedTruncated() throws Exception {
        k8s.server.expect().get().withPath("/api/v1/namespaces/payments/events?fieldSelector=involvedObject.kind%3DPod"
                + "%2CinvolvedObject.name%3Dpayment-api-2").andReturn(403, "{\"kind\":\"Status\",\"reason\":\"Forbidden\","
                + "\"message\":\"events is forbidden: User \\\"reader\\\" cannot list resource \\\"events\\\"\"}").always();
        EvidenceRecord record = capture(walk(root, "pods", "payment-api-2.describe"));
        List<String> lines = java.nio.file.Files.readAllLines(record.file());
        assertEquals("Name:             payment-api-2", lines.get(0));
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("Events:  <events not shown: kubernetes cluster (127.0.0.1:"), last);
        assertTrue(last.contains("403 Forbidden: events is forbidden: User \"reader\" cannot list resource \"events\""), last);
        assertTrue(record.truncation().orElseThrow().startsWith("events not shown: "));
    }

    @Test
    void eventsLogIsOldestFirstAndHonoursSinceAndGrep() throws Exception {
        List<String> all = read(walk(root, "events.log")).lines().toList();
        assertEquals(List.of(
                "2026-11-21T19:30:00.000Z Normal Pulled pod/payment-api-1: Container image already present on machine",
                "2026-11-21T20:15:00.000Z Warning Failed pod/ledger-0: Error: ImagePullBackOff",
                "2026-11-21T20:40:00.000Z Normal ScalingReplicaSet deployment/payment-api: Scaled up replica set to 3",
                "2026-11-21T20:55:00.000Z Warning BackOff pod/payment-api-1: Back-off restarting failed container api (x7)"),
                all);
        assertEquals(all.subList(2, 4), read(walk(root, "events.log?since=30m")).lines().toList());
        assertEquals(List.of(all.get(1), all.get(3)), read(walk(root, "events.log?grep=Warning")).lines().toList());
        assertEquals(List.of(all.get(3)), read(walk(root, "events.log?since=1h&grep-i=back-?off&tail=1")).lines().toList());
        k8s.serve("/api/v1/namespaces/payments/events?fieldSelector=type%3DWarning",
                k8s.client.v1().events().inNamespace(Cluster.NS).list());
        EvidenceRecord typed = capture(walk(root, "events.log?type=Warning&since=1h"));
        assertEquals(List.of(all.get(1), all.get(3)), java.nio.file.Files.readAllLines(typed.file()));
        assertEquals("GET /api/v1/namespaces/payments/events?fieldSelector=type%3DWarning"
                + " | time [2026-11-21T20:00:00Z, now)", typed.query());
    }

    @Test
    void labelAndFieldSelectorsNameADirectoryOfMatches() throws Exception {
        k8s.requests();
        DirNode byLabel = (DirNode) walk(root, "pods?label=app=payment-api");
        assertEquals("pods?label=app=payment-api", byLabel.name());
        assertEquals(List.of("payment-api-1.yaml", "payment-api-1.describe", "payment-api-1/",
                "payment-api-2.yaml", "payment-api-2.describe", "payment-api-2/"), names(byLabel));
        assertTrue(k8s.requests().contains("/api/v1/namespaces/payments/pods?labelSelector=app%3Dpayment-api"));

        Object allPods = k8s.client.pods().inNamespace(Cluster.NS).list();
        k8s.serve("/api/v1/namespaces/payments/pods?labelSelector=app%21%3Dpayment-api"
                + "&fieldSelector=status.phase%3DFailed", allPods);
        k8s.serve("/api/v1/namespaces/payments/pods?fieldSelector=status.phase%3DFailed", allPods);
        DirNode failed = (DirNode) walk(root, "pods?label=app!=payment-api&phase=Failed");
        assertEquals(List.of("ledger-0.yaml", "ledger-0.describe", "ledger-0/"), names(failed));
        assertTrue(k8s.requests().contains("/api/v1/namespaces/payments/pods?labelSelector=app%21%3Dpayment-api"
                + "&fieldSelector=status.phase%3DFailed"));
        // Files under a selector directory are the plain ones; objects the selector excludes are not there.
        assertEquals("/teams/payments/prod/k8s/pods/ledger-0.yaml",
                capture(walk(root, "pods?phase=Failed", "ledger-0.yaml")).source());
        AfsException excluded = assertThrows(AfsException.class,
                () -> walk(root, "pods?phase=Failed", "payment-api-1.yaml"));
        assertEquals(AfsError.NOT_FOUND, excluded.error());

        AfsException bad = assertThrows(AfsException.class, () -> walk(root, "pods?lable=app=x"));
        assertEquals(AfsError.INVALID_QUERY, bad.error());
        assertTrue(bad.getMessage().contains("unknown key 'lable'"), bad.getMessage());
    }

    @Test
    void secretsAreNeverListedNorReadable() throws Exception {
        assertFalse(names(root).stream().anyMatch(n -> n.startsWith("secrets")));
        AfsException e = assertThrows(AfsException.class, () -> walk(root, "secrets"));
        assertEquals(AfsError.NOT_FOUND, e.error());
        assertEquals("secrets: Secrets are never shown in the tree", e.getMessage());
        ConfigException config = assertThrows(ConfigException.class,
                () -> k8s.section("backend: cluster\nnamespace: payments\nkinds: [pods, secrets]\n"));
        assertTrue(config.getMessage().contains("secrets are never exposed"), config.getMessage());
        for (Node kind : root.list(CALLER)) {
            if (kind instanceof DirNode d) {
                assertFalse(names(d).stream().anyMatch(n -> n.contains("db-password")), kind.name());
            }
        }
    }

    @Test
    void configMapDataIsHiddenUnlessEnabled() throws Exception {
        DirNode hidden = k8s.section("backend: cluster\nnamespace: payments\nkinds: [configmaps]\n");
        String yaml = read(walk(hidden, "configmaps", "payment-config.yaml"));
        assertFalse(yaml.contains("postgres://"), yaml);
        assertTrue(yaml.startsWith("# data hidden (keys: DB_URL); set configmaps: true"), yaml);
        String describe = read(walk(hidden, "configmaps", "payment-config.describe"));
        assertFalse(describe.contains("postgres://"), describe);
        assertTrue(describe.contains("DB_URL:"), describe);

        DirNode shown = k8s.section("backend: cluster\nnamespace: payments\nconfigmaps: true\n");
        assertTrue(names(shown).contains("configmaps/"));
        assertTrue(read(walk(shown, "configmaps", "payment-config.yaml"))
                .contains("DB_URL: postgres://db.internal:5432/pay"));
    }

    @Test
    void apiErrorsMapToErrnosWithoutCredentials() throws Exception {
        AfsException missing = assertThrows(AfsException.class, () -> walk(root, "pods", "nope.yaml"));
        assertEquals(AfsError.NOT_FOUND, missing.error());
        assertTrue(missing.getMessage().startsWith("kubernetes cluster (127.0.0.1:" + k8s.server.getPort() + "): 404 "),
                missing.getMessage());

        k8s.server.expect().get().withPath("/apis/apps/v1/namespaces/payments/deployments").andReturn(403,
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403,"
                        + "\"message\":\"deployments.apps is forbidden: User \\\"system:serviceaccount:afs:reader\\\""
                        + " cannot list resource \\\"deployments\\\" in API group \\\"apps\\\" in the namespace"
                        + " \\\"payments\\\"\"}").once();
        AfsException denied = assertThrows(AfsException.class, () -> names((DirNode) walk(root, "deployments")));
        assertEquals(AfsError.ACCESS_DENIED, denied.error());
        assertEquals("kubernetes cluster (127.0.0.1:" + k8s.server.getPort() + "): 403 Forbidden: deployments.apps is"
                + " forbidden: User \"system:serviceaccount:afs:reader\" cannot list resource \"deployments\" in API"
                + " group \"apps\" in the namespace \"payments\"; grant this backend's identity read access"
                + " (get/list/watch) to it via RBAC", denied.getMessage());

        k8s.server.expect().get().withPath("/api/v1/namespaces/payments/services").andReturn(500,
                "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"InternalError\",\"message\":\"etcd timeout\"}")
                .always();
        AfsException failed = assertThrows(AfsException.class, () -> names((DirNode) walk(root, "services")));
        assertEquals(AfsError.BACKEND_FAILURE, failed.error());
        assertTrue(failed.getMessage().contains("500 InternalError: etcd timeout"), failed.getMessage());
    }

    @Test
    void configErrorsNameTheFix() {
        ConfigException kind = assertThrows(ConfigException.class,
                () -> k8s.section("backend: cluster\nkinds: [pods, pod]\n"));
        assertTrue(kind.getMessage().contains("unknown kind 'pod'; kinds are pods, deployments"), kind.getMessage());
        ConfigException key = assertThrows(ConfigException.class,
                () -> k8s.section("backend: cluster\nnamespaces: payments\n"));
        assertTrue(key.getMessage().contains("unknown key 'namespaces'; did you mean 'namespace'?"), key.getMessage());
    }

    @Test
    void nodesOnlyWhenListed() throws Exception {
        DirNode withNodes = k8s.section("backend: cluster\nnamespace: payments\nkinds: [pods, nodes]\n");
        assertEquals(List.of("pods/", "nodes/"), names(withNodes));
        assertInstanceOf(DirNode.class, walk(withNodes, "nodes"));
        assertThrows(AfsException.class, () -> walk(root, "nodes"));
    }
}
