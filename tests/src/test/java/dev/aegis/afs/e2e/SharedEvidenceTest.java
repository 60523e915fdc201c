package dev.aegis.afs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.e2e.security.Mount;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import dev.aegis.afs.testkit.PostgresServer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Evidence that travels: two mount daemons with their own evidence directories and capture keys
 * (two mountpoints, as on two hosts) and one harness share one real PostgreSQL. Mount A writes
 * fail-closed, mount B with {@code spool: true}; each with its own login in afs_evidence_writer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedEvidenceTest {

    private static Path repo;
    private static Path work;
    private static PostgresServer pg;
    private static KubernetesMockServer cluster;
    private static KubernetesClient client;
    private static HarnessDaemon harness;
    private static Mount a;
    private static Mount b;
    private static int plans;

    @BeforeAll
    static void start() throws Exception {
        Mount.assumeFuse();
        assumeTrue(PostgresServer.installed(), "postgresql-15 is not installed (bin/setup installs it)");
        repo = Path.of(System.getProperty("afs.repo", "..")).toRealPath();
        work = Files.createTempDirectory("afs-shared");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/api.log"), """
                2026-11-21T10:00:00.000Z INFO request ok
                2026-11-21T10:00:01.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                2026-11-21T10:00:02.000Z ERROR java.lang.OutOfMemoryError: Java heap space
                """);
        pg = PostgresServer.start();
        String url = pg.createDatabase("afs");

        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        client = cluster.createClient();
        Deployment api = new DeploymentBuilder()
                .withNewMetadata().withName("api").withNamespace("payments").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "api")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "api")).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
                .endTemplate().endSpec()
                .withNewStatus().withReplicas(2).withReadyReplicas(2).endStatus().build();
        client.apps().deployments().inNamespace("payments").resource(api).create();

        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // one namespaces.yaml per mount host: its own evidence directory (and so its own capture key),
        // its own database login, the one harness
        for (String host : List.of("a", "b")) {
            Path dir = Files.createDirectories(work.resolve(host));
            Files.writeString(dir.resolve("db.password"), "pw-" + host);
            Files.setPosixFilePermissions(dir.resolve("db.password"), PosixFilePermissions.fromString("rw-------"));
            Files.writeString(dir.resolve("namespaces.yaml"), """
                    evidence:
                      dir: evidence
                      store: {type: postgresql, url: "%s", user: mount_%s, password_file: db.password%s}
                    harness: {url: "http://127.0.0.1:%d", token_file: ../data/client.token}
                    backends:
                      local: {type: file, root: ../logs, cache_ttl: 0s}
                    teams:
                      payments:
                        prod:
                          access: {read: ["*"]}
                          changes:
                            mode: execute
                            allow: [scale]
                            approvers: {uids: [1001, 1002]}
                            min_approvals: 2
                          logs:
                            api: {backend: local, path: api.log}
                    """.formatted(url, host, host.equals("b") ? ", spool: true" : "", port));
        }
        String keys = "evidence:\n  store: {type: postgresql, url: \"" + url + "\", user: postgres}\n  capture_keys:\n";
        for (String host : List.of("a", "b")) {
            Shell.Result key = Shell.run(work.resolve(host), List.of(repo.resolve("bin/afs").toString(), "evidence", "key",
                    "--config", work.resolve(host + "/namespaces.yaml").toString()));
            assertEquals(0, key.exit(), key.toString());
            keys += "  " + key.out().strip() + "\n";
        }
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:%d
                data_dir: data
                namespaces: a/namespaces.yaml
                kubernetes: {master_url: "%s"}
                """.formatted(port, client.getMasterUrl()) + keys);
        // the control plane migrates the evidence schema, which creates the writer role; then the
        // operator gives each mount host a login in it
        harness = HarnessDaemon.start(HarnessConfig.read(work.resolve("harness.yaml")));
        for (String host : List.of("a", "b")) {
            pg.createRole("mount_" + host, "pw-" + host);
            pg.execute("postgres", "GRANT afs_evidence_writer TO mount_" + host);
        }
        a = Mount.start(work.resolve("a"), work.resolve("a/namespaces.yaml"), Map.of(), "mnt");
        b = Mount.start(work.resolve("b"), work.resolve("b/namespaces.yaml"), Map.of(), "mnt");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (Mount m : new Mount[] {a, b}) {
                if (m != null) {
                    m.close();
                }
            }
        } finally {
            if (harness != null) {
                harness.stop();
            }
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.destroy();
            }
            if (pg != null) {
                pg.close();
            }
            Mount.deleteTree(work);
        }
    }

    /** A snapshot read through a mount: its path under /evidence, sha256 and capture time. */
    record Snapshot(Mount mount, String path, String sha256) {
        String xattr(String name) throws Exception {
            return mount.bash("getfattr --only-values -n " + name + " '." + path + "'").out();
        }
    }

    private static Snapshot read(Mount m, String file) throws Exception {
        Mount.Result cat = m.bash("cat '" + file + "'");
        assertEquals(0, cat.exit(), cat + "\n" + m.bash("cat .afs/errors").out());
        String evidence = m.bash("getfattr --only-values -n user.afs.evidence '" + file + "'").out();
        String sha = m.bash("getfattr --only-values -n user.afs.sha256 '." + evidence + "'").out();
        assertEquals(64, sha.length(), sha);
        return new Snapshot(m, evidence, sha);
    }

    /** Writes a plan citing {@code s} through {@code via}; returns its status once decided. */
    private static String submit(Mount via, Snapshot s) throws Exception {
        String id = "shared-" + (++plans);
        String plan = """
                incident_id: INC-SH-%d
                team: payments
                env: prod
                hypothesis: api runs out of heap under load; more replicas spread it
                confidence: 0.9
                evidence:
                  - {path: %s, sha256: %s, lines: "1-2"}
                actions:
                  - {tool: scale, target: {kind: Deployment, name: api}, params: {replicas: 4}, idempotency_key: %s}
                rollback: before_state
                """.formatted(plans, s.mount().mountpoint + s.path(), s.sha256(), id);
        Files.writeString(work.resolve(id + ".yaml"), plan);
        Mount.Result write = via.bash("cat " + work.resolve(id + ".yaml") + " > change_requests/" + id + ".yaml");
        assertEquals(0, write.exit(), write + "\n" + via.bash("cat .afs/errors").out());
        String status = "";
        for (int i = 0; i < 400 && !(status.contains("  REJECTED  ") || status.contains("  PENDING_APPROVAL  ")); i++) {
            Thread.sleep(50);
            status = Files.readString(via.mountpoint.resolve("change_requests").resolve(id + ".status"));
        }
        return status;
    }

    private static int rows(String sql) throws Exception {
        try (Connection c = pg.connect("afs"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    @Order(1)
    void evidenceReadOnMountAIsCitedThroughMountBAndVerifiedFromTheStore() throws Exception {
        Snapshot s = read(a, "teams/payments/prod/logs/api.log?grep=OutOfMemory");
        assertEquals("true", s.xattr("user.afs.replicated"));
        String id = s.path().substring("/evidence/".length());
        assertEquals(1, rows("SELECT count(*) FROM evidence.captures WHERE id = '" + id + "'"), "in the store before served");
        // mount B has never seen this snapshot: its own directory does not hold it
        assertTrue(!Files.exists(work.resolve("b/evidence").resolve(id)));
        String status = submit(b, s);
        assertTrue(status.contains("  PENDING_APPROVAL  "), status);
        // mount B's /evidence and afs evidence ls on host B read from the store: A's snapshot is there
        Mount.Result listed = b.bash("ls '." + s.path().substring(0, s.path().lastIndexOf('/')) + "'");
        assertTrue(listed.out().contains(id.substring(id.indexOf('/') + 1)), listed.toString());
        Mount.Result shown = b.bash("sha256sum '." + s.path() + "'");
        assertTrue(shown.out().startsWith(s.sha256()), shown.toString());
        Shell.Result ls = Shell.run(work.resolve("b"), List.of(repo.resolve("bin/afs").toString(), "evidence", "ls",
                "--config", work.resolve("b/namespaces.yaml").toString()));
        assertTrue(ls.exit() == 0 && ls.out().contains(id), ls.toString());
    }

    @Test
    @Order(2)
    void aSnapshotRewrittenInTheStoreIsRefused() throws Exception {
        // content no other test reads: a rewritten blob would be lent to every later capture of it
        Snapshot s = read(a, "teams/payments/prod/logs/api.log?head=2");
        String id = s.path().substring("/evidence/".length());
        // the control plane's owner could; a mount cannot (PostgresCaptureStoreTest): the harness notices either way
        pg.execute("afs", "UPDATE evidence.chunks SET data = convert_to('forged\n', 'UTF8') WHERE sha256 = '" + s.sha256() + "'");
        String status = submit(b, s);
        assertTrue(status.contains("  REJECTED  ") && status.contains("after it was registered"), status);
        assertTrue(rows("SELECT count(*) FROM evidence.captures WHERE id = '" + id + "'") == 1);
    }

    @Test
    @Order(3)
    void storeDownFailsReadsClosedOrSpoolsThemAndTheHarnessWaitsForTheUpload() throws Exception {
        pg.kill();
        {
            // mount A (fail closed): the read fails and says why
            Mount.Result refused = a.bash("cat 'teams/payments/prod/logs/api.log?tail=1'");
            assertNotEquals(0, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("Input/output error"), refused.toString());
            String errors = a.bash("cat .afs/errors").out();
            assertTrue(errors.contains("the evidence store postgresql://mount_a@127.0.0.1:" + pg.port() + "/afs did not take"
                    + " the snapshot") && errors.contains("nothing is served before its evidence is durable"), errors);

            // mount B (spool): served, marked not replicated, and not accepted as evidence yet
            Snapshot spooled = read(b, "teams/payments/prod/logs/api.log?tail=2");
            assertEquals("false", spooled.xattr("user.afs.replicated"));
            assertTrue(b.bash("cat .afs/status").out().contains("1 spooled"), b.bash("cat .afs/status").out());
            String before = submit(b, spooled);
            assertTrue(before.contains("  REJECTED  ") && before.contains("evidence store"), before);

            pg.restart();
            String replicated = "";
            for (int i = 0; i < 300 && !replicated.equals("true"); i++) {
                Thread.sleep(100);
                replicated = spooled.xattr("user.afs.replicated");
            }
            assertEquals("true", replicated, b.bash("cat .afs/status").out());
            String after = submit(a, spooled);
            assertTrue(after.contains("  PENDING_APPROVAL  "), after);
            // and mount A reads again once the store is back
            read(a, "teams/payments/prod/logs/api.log?tail=1");
        }
    }

    @Test
    @Order(4)
    void aDaemonKilledWithAFullSpoolReplaysItOnRestartAndUploadsEachSnapshotOnce() throws Exception {
        int before = rows("SELECT count(*) FROM evidence.captures");
        pg.kill();
        List<Snapshot> spooled = new java.util.ArrayList<>();
        for (String query : List.of("tail=3", "grep=INFO", "grep=heap")) {
            Snapshot s = read(b, "teams/payments/prod/logs/api.log?" + query);
            assertEquals("false", s.xattr("user.afs.replicated"));
            spooled.add(s);
        }
        assertTrue(b.bash("cat .afs/status").out().contains("3 spooled"), b.bash("cat .afs/status").out());
        b.kill();
        assertTrue(!b.mounted(), "the stale mount is gone");
        // a new daemon on the same host and directory, the store still down: it finds the spool
        b = Mount.start(work.resolve("b"), work.resolve("b/namespaces.yaml"), Map.of(), "mnt");
        assertTrue(b.bash("cat .afs/status").out().contains("3 spooled"), b.bash("cat .afs/status").out());
        for (Snapshot s : spooled) {
            assertEquals("false", new Snapshot(b, s.path(), s.sha256()).xattr("user.afs.replicated"));
        }
        pg.restart();
        for (Snapshot s : spooled) {
            Snapshot now = new Snapshot(b, s.path(), s.sha256());
            String replicated = "";
            for (int i = 0; i < 300 && !replicated.equals("true"); i++) {
                Thread.sleep(100);
                replicated = now.xattr("user.afs.replicated");
            }
            assertEquals("true", replicated, b.bash("cat .afs/status").out());
        }
        String status = b.bash("cat .afs/status").out();
        assertTrue(status.contains("3 stored, 0 spooled"), status);
        // each snapshot once, each content once: nothing uploaded twice
        assertEquals(before + 3, rows("SELECT count(*) FROM evidence.captures"));
        for (Snapshot s : spooled) {
            String id = s.path().substring("/evidence/".length());
            assertEquals(1, rows("SELECT count(*) FROM evidence.captures WHERE id = '" + id + "'"));
            assertEquals(1, rows("SELECT count(*) FROM evidence.blobs WHERE sha256 = '" + s.sha256() + "'"));
            assertEquals(1, rows("SELECT count(*) FROM evidence.chunks WHERE sha256 = '" + s.sha256() + "'"));
        }
        // and the harness accepts what the dead daemon served
        String after = submit(a, spooled.get(2));
        assertTrue(after.contains("  PENDING_APPROVAL  "), after);
    }
}
