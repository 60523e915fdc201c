package dev.aegis.afs.bench;

import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.harness.Harness;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.PollToken;
import dev.aegis.afs.testkit.PostgresServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Issue 12's poll load against one control plane: 10,000 simulated cluster agents, each polling
 * {@code GET /v1/tasks?cluster=<id>} every 5 s (2,000 polls/s), with 50,000 intents buffered
 * in the store, over loopback with keep-alive connections. Not JMH: two processes, so the
 * control plane's RSS and CPU are its own and the load generator's CPU share is measured apart.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.aegis.afs.bench.PollLoadBenchmark server DIR sqlite|postgresql
 * java -cp bench/target/benchmarks.jar dev.aegis.afs.bench.PollLoadBenchmark drive DIR [warmupSeconds measureSeconds]
 * </pre>
 * bench/poll-load.sh runs both. The server generates the 10,000 agent keys (their private halves
 * in DIR/agents.txt, for the driver), one certified intent key, a harness.yaml with
 * {@code execution: agents}, starts {@link HarnessDaemon} and then buffers the 50,000 intents:
 * actions of EXECUTING requests, leased to the agents (5 per cluster) and valid for a day, so
 * every poll runs the lease query against them and finds nothing new to lease. The driver is
 * {@link PollDriver}: one NIO thread, one keep-alive connection per agent, a fixed schedule,
 * each poll with its own agent-signed token (signed before the run) as a real agent sends.
 */
public final class PollLoadBenchmark {

    static final int AGENTS = 10_000;
    static final int INTENTS = 50_000;
    static final Duration POLL_EVERY = Duration.ofSeconds(5);

    private PollLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("server")) {
            server(Path.of(args[1]), args[2]);
        } else if (args.length >= 2 && args[0].equals("drive")) {
            drive(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 15, args.length > 3 ? Integer.parseInt(args[3]) : 45,
                    args.length > 4 ? Integer.parseInt(args[4]) : AGENTS);
        } else {
            System.err.println("usage: PollLoadBenchmark server DIR sqlite|postgresql | drive DIR [warmup measure]");
            System.exit(2);
        }
    }

    static String cluster(int i) {
        return String.format("c%05d", i);
    }

    // ---- the control plane ----

    static void server(Path dir, String store) throws Exception {
        SecureRandom random = new SecureRandom();
        Files.createDirectories(dir);
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(dir.resolve("evidence"));
        StringBuilder agentsYaml = new StringBuilder("agents:\n");
        List<String> privates = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            OctetKeyPair k = KeyFile.generate(random);
            agentsYaml.append("  ").append(cluster(i)).append(": {public_key: ").append(k.getX()).append("}\n");
            privates.add(cluster(i) + " " + k.toJSONString());
        }
        Files.write(dir.resolve("agents.txt"), privates);
        OctetKeyPair root = KeyFile.generate(random);
        IntentKeyStore.open(data).rotate(root, Instant.now(), Duration.ofHours(24), Duration.ofHours(1), 1, random);
        Files.writeString(dir.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                backends:
                  cluster: {type: kubernetes, master_url: "http://127.0.0.1:1"}
                teams:
                  payments:
                    prod:
                      access: {read: [uid:1000]}
                      changes: {mode: execute, allow: [scale], namespaces: [payments]}
                """);
        PostgresServer pg = null;
        String storeYaml = "";
        String jdbc;
        if (store.equals("postgresql")) {
            pg = PostgresServer.start();
            jdbc = pg.createDatabase("harness");
            storeYaml = "store: postgresql\npostgresql: {url: \"" + jdbc + "\", user: postgres, pool_size: 10}\n";
        } else {
            jdbc = "jdbc:sqlite:" + data.resolve("harness.db").toAbsolutePath();
        }
        Files.writeString(dir.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                evidence_dir: evidence
                execution: agents
                live_state: {backend: cluster}
                intent_ttl: 30s
                """ + storeYaml + agentsYaml);
        // the gates' read-only client: no poll here leases anything new, so it is never called
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:1").build()).build();
        HarnessDaemon daemon = HarnessDaemon.start(HarnessConfig.read(dir.resolve("harness.yaml")), client, Clock.systemUTC(),
                UnixAccounts.system(), Harness.Probe.NONE);
        buffer(jdbc, pg);
        Files.writeString(dir.resolve("server.url"), daemon.url() + " " + ProcessHandle.current().pid() + "\n");
        System.out.println("control plane at " + daemon.url() + " (" + store + "), " + INTENTS + " intents buffered for "
                + AGENTS + " agents");
        while (!Files.exists(dir.resolve("stop"))) {
            Thread.sleep(200);
        }
        daemon.stop();
        client.close();
        if (pg != null) {
            pg.close();
        }
    }

    /** 50,000 actions of EXECUTING requests, leased to the agents (5 each) and valid for a day. */
    static void buffer(String jdbc, PostgresServer pg) throws Exception {
        try (Connection c = pg != null ? DriverManager.getConnection(jdbc, PostgresServer.SUPERUSER, "") : DriverManager.getConnection(jdbc)) {
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            try (PreparedStatement r = c.prepareStatement("INSERT INTO requests(id, incident, team, env, submitter, "
                    + "submitter_person, state, mode, document, doc_sha, created_ms, updated_ms) VALUES (?, ?, 'payments', 'prod', "
                    + "'unix:1000@bench', 'user:agent', 'EXECUTING', 'EXECUTE', 'bench', ?, ?, ?)");
                 PreparedStatement a = c.prepareStatement("INSERT INTO actions(request_id, idx, idempotency_key, tool, target, "
                         + "status, cluster, queued_ms, lease_expires_ms) VALUES (?, 0, ?, 'scale', 'payments/Deployment/api', "
                         + "'LEASED', ?, ?, ?)")) {
                for (int i = 0; i < INTENTS; i++) {
                    String id = String.format("cr-bench-%06d", i);
                    r.setString(1, id);
                    r.setString(2, "INC-" + i);
                    r.setString(3, "sha-" + i);
                    r.setLong(4, now);
                    r.setLong(5, now);
                    r.addBatch();
                    a.setString(1, id);
                    a.setString(2, "key-" + i);
                    a.setString(3, cluster(i % AGENTS));
                    a.setLong(4, now);
                    a.setLong(5, now + Duration.ofDays(1).toMillis());
                    a.addBatch();
                    if (i % 1000 == 999) {
                        r.executeBatch();
                        a.executeBatch();
                    }
                }
            }
            c.commit();
        }
    }

    // ---- the load generator ----

    /**
     * Drives {@code agentCount} of the agents (all 10,000: 2,000 polls/s) with {@link PollDriver}.
     * Every poll's token is signed before the run, with the iat of its due time shifted by the
     * signing time (well inside the token's 60 s lifetime), so the generator's measured CPU is
     * the network work alone.
     */
    static void drive(Path dir, int warmupSeconds, int measureSeconds, int agentCount) throws Exception {
        String[] server = Files.readString(dir.resolve("server.url")).strip().split(" ");
        URI url = URI.create(server[0]);
        long serverPid = Long.parseLong(server[1]);
        List<String> lines = Files.readAllLines(dir.resolve("agents.txt"));
        int n = Math.min(agentCount, lines.size());
        String[] clusters = new String[n];
        OctetKeyPair[] keys = new OctetKeyPair[n];
        for (int i = 0; i < n; i++) {
            int space = lines.get(i).indexOf(' ');
            clusters[i] = lines.get(i).substring(0, space);
            keys[i] = OctetKeyPair.parse(lines.get(i).substring(space + 1));
        }
        long intervalNanos = POLL_EVERY.toNanos() / n; // 0.5 ms: 2,000 polls/s
        int total = (int) ((warmupSeconds + measureSeconds) * 1_000_000_000L / intervalNanos);
        int warmup = (int) (warmupSeconds * 1_000_000_000L / intervalNanos);
        byte[][] requests = new byte[total][];
        // sign a sample to estimate how long all take, and date the tokens from when the run will start
        int sample = Math.min(total, 2_000);
        presign(requests, 0, sample, Instant.now(), intervalNanos, clusters, keys, url); // warms the JIT up
        long signStart = System.nanoTime();
        presign(requests, 0, sample, Instant.now(), intervalNanos, clusters, keys, url);
        double perToken = (System.nanoTime() - signStart) / (double) sample;
        Instant base = Instant.now().plusNanos((long) (perToken * total));
        presign(requests, 0, total, base, intervalNanos, clusters, keys, url);
        double signSeconds = (System.nanoTime() - signStart) / 1e9;
        System.out.printf("%d poll tokens signed in %.1f s (%.0f us each, wall time on two threads)%n", total, signSeconds,
                signSeconds * 2e6 / total);
        long early = Duration.between(Instant.now(), base).toMillis();
        if (early > 0) {
            Thread.sleep(Math.min(early, 60_000));
        } else if (early < -50_000) {
            throw new IllegalStateException("signing took " + signSeconds + " s, far longer than estimated: the first tokens would"
                    + " expire before they are sent; run fewer seconds or fewer agents");
        }
        long[] cpuAtMeasure = new long[2];
        long[] measureStart = new long[1];
        PollDriver.Outcome o = new PollDriver(new InetSocketAddress(url.getHost(), url.getPort()), n).run(requests, intervalNanos,
                warmup, () -> {
                    measureStart[0] = System.nanoTime();
                    try {
                        cpuAtMeasure[0] = cpuTicks(ProcessHandle.current().pid());
                        cpuAtMeasure[1] = cpuTicks(serverPid);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        double seconds = (System.nanoTime() - measureStart[0]) / 1e9;
        long hz = 100; // USER_HZ on Linux
        double driverCpu = (cpuTicks(ProcessHandle.current().pid()) - cpuAtMeasure[0]) / (double) hz / seconds;
        double serverCpu = (cpuTicks(serverPid) - cpuAtMeasure[1]) / (double) hz / seconds;
        long[] l = o.latenciesNanos();
        Arrays.sort(l);
        int m = l.length;
        System.out.printf("%d agents, polls due %d in %.1f s measured (%.0f/s), answered %d, errors %d, skipped (agent still "
                        + "waiting) %d, reconnects %d, non-empty answers %d%n", n, total - warmup, seconds, (total - warmup) / seconds,
                o.answered(), o.errors(), o.skipped(), o.reconnects(), o.nonEmpty());
        if (m > 0) {
            System.out.printf("poll latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                    l[m / 2] / 1e6, l[(int) (m * 0.90)] / 1e6, l[(int) (m * 0.99)] / 1e6, l[Math.min(m - 1, (int) (m * 0.999))] / 1e6,
                    l[m - 1] / 1e6);
        }
        System.out.printf("CPU (cores) over the measured window: control plane %.2f, load generator %.2f (of 2)%n", serverCpu, driverCpu);
        System.out.printf("control plane RSS %d MiB (VmHWM %d MiB)%n", statusKb(serverPid, "VmRSS") / 1024, statusKb(serverPid, "VmHWM") / 1024);
        System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    /** Builds the GET of polls {@code from..to}, poll k of agent k % n, its token dated {@code base + k * interval}. */
    static void presign(byte[][] requests, int from, int to, Instant base, long intervalNanos, String[] clusters,
                        OctetKeyPair[] keys, URI url) {
        SecureRandom random = new SecureRandom();
        java.util.stream.IntStream.range(from, to).parallel().forEach(k -> {
            int agent = k % clusters.length;
            String path = "/v1/tasks?cluster=" + clusters[agent];
            String token = PollToken.sign(keys[agent], clusters[agent], "GET", path, base.plusNanos(k * intervalNanos), random);
            requests[k] = ("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort() + "\r\nAuthorization: "
                    + PollToken.SCHEME + " " + token + "\r\nUser-Agent: afs-agent/bench\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        });
    }

    /** utime + stime of a process, in clock ticks (its threads included). */
    static long cpuTicks(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long statusKb(long pid, String field) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
