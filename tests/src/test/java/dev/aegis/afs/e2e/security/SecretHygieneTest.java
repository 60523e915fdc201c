package dev.aegis.afs.e2e.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Plants credentials (a Loki bearer token in a file, a Prometheus password in an environment
 * variable named by namespaces.yaml, AWS keys in the environment for CloudWatch) and sensitive
 * log content (a private key block, a JWT, emails, card numbers, an IP, an AWS key id), drives
 * good and failing reads through a real mount and the CLI (the HTTP backends answer 500 with
 * every request header echoed back, the worst a broken proxy can do), then searches everything
 * the system wrote: the whole evidence directory, the daemon log, /.afs/errors, /.afs/status, the
 * tree listing with every xattr, and the CLI's stdout and stderr. No planted value may appear;
 * the log content appears only as [REDACTED_KIND], counted in user.afs.stats.redacted.KIND.
 */
class SecretHygieneTest {

    private static final String TEAM = "shop";
    private static final String ENV = "prod";
    private static final String LOGS = "/teams/" + TEAM + "/" + ENV + "/logs";

    private static final String LOKI_TOKEN = "loki-tok-7f3c9a1b2d4e6f80aa";
    private static final String PROM_PASSWORD = "prom-pw-Zq8vX2nL5rT1";
    private static final String AWS_KEY_ID = "AKIAE2ESECRETHYG1ENE";
    private static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYE2ESECRET1";

    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl";
    private static final String EMAIL = "alice.secret@example.com";
    private static final String CARD = "4111 1111 1111 1111";
    private static final String IP = "10.20.30.40";
    private static final String KEY_MATERIAL = "MIIEowIBAAKCAQEAsecretkeymaterial";
    private static final String LOG_AWS_KEY = "AKIALOGLINEKEY000001";

    /** Each planted log value, with the kind it must be redacted as and how often it is planted. */
    private static final Map<String, String> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put(JWT, "JWT");
        KINDS.put(EMAIL, "EMAIL");
        KINDS.put(CARD, "CARD_NUMBER");
        KINDS.put(IP, "IPV4");
        KINDS.put(KEY_MATERIAL, "PRIVATE_KEY");
        KINDS.put(LOG_AWS_KEY, "AWS_ACCESS_KEY");
    }

    private static final List<String> LOG = List.of(
            "2026-11-21T11:50:00Z INFO login ok user=" + EMAIL + " from " + IP,
            "2026-11-21T11:51:00Z ERROR payment declined card=" + CARD + " notify=" + EMAIL,
            "2026-11-21T11:52:00Z WARN upstream auth token=" + JWT,
            "2026-11-21T11:53:00Z ERROR leaked key -----BEGIN RSA PRIVATE KEY-----" + KEY_MATERIAL
                    + "-----END RSA PRIVATE KEY-----",
            "2026-11-21T11:54:00Z ERROR s3 upload failed key_id=" + LOG_AWS_KEY,
            "2026-11-21T11:55:00Z INFO done");

    /** How often each value occurs in LOG. */
    private static long planted(String value) {
        return LOG.stream().mapToLong(l -> l.split(Pattern.quote(value), -1).length - 1).sum();
    }

    @Test
    @Timeout(300)
    void noPlantedSecretAppearsInAnythingTheSystemWrote() throws Exception {
        Mount.assumeFuse();
        Path work = Files.createTempDirectory("afs-secrets");
        HttpServer echo = echoServer();
        List<String> written = new ArrayList<>(); // every output to search
        try {
            Path config = writeConfig(work, "http://127.0.0.1:" + echo.getAddress().getPort());
            Map<String, String> env = Map.of("AFS_E2E_PROM_PASSWORD", PROM_PASSWORD,
                    "AWS_ACCESS_KEY_ID", AWS_KEY_ID, "AWS_SECRET_ACCESS_KEY", AWS_SECRET, "AWS_REGION", "us-east-1");
            String evidencePath;
            try (Mount mount = Mount.start(work, config, env)) {
                String logs = Shell.quote(mount.mountpoint + LOGS);
                // good reads
                Mount.Result plain = mount.bash("cat " + logs + "/api.log");
                assertEquals(0, plain.exit(), plain.toString());
                written.add(plain.out());
                for (Map.Entry<String, String> k : KINDS.entrySet()) {
                    assertTrue(plain.out().contains("[REDACTED_" + k.getValue() + "]"),
                            "no [REDACTED_" + k.getValue() + "] in:\n" + plain.out());
                }
                assertTrue(plain.out().contains("INFO done"), plain.out()); // the rest of the line is kept
                written.add(mount.bash("grep ERROR " + logs + "/api.log; tail -n 2 " + logs + "/api.log;"
                        + " cat " + logs + "/'api.log?grep=ERROR&tail=2'").out());

                Mount.Result xattrs = mount.bash("cat " + logs + "/api.log > /dev/null && getfattr -d -m - " + logs + "/api.log");
                written.add(xattrs.out() + xattrs.err());
                Matcher m = Pattern.compile("user\\.afs\\.evidence=\"([^\"]+)\"").matcher(xattrs.out());
                assertTrue(m.find(), "no user.afs.evidence on the live file:\n" + xattrs);
                evidencePath = m.group(1);
                Mount.Result evidence = mount.bash("cat " + Shell.quote(mount.mountpoint + evidencePath)
                        + "; getfattr -d -m - " + Shell.quote(mount.mountpoint + evidencePath));
                written.add(evidence.out() + evidence.err());
                for (Map.Entry<String, String> k : KINDS.entrySet()) {
                    String attribute = "user.afs.stats.redacted." + k.getValue() + "=\"" + planted(k.getKey()) + "\"";
                    assertTrue(evidence.out().contains(attribute), "no " + attribute + " in:\n" + evidence + "\nlive xattrs:\n" + xattrs);
                }

                // failing reads: every HTTP backend answers 500 echoing the request's headers
                for (String failing : List.of(logs + "/loki.log", logs + "/cw.log",
                        Shell.quote(mount.mountpoint + "/teams/" + TEAM + "/" + ENV + "/metrics") + "/requests.prom")) {
                    Mount.Result r = mount.bash("cat " + failing);
                    assertNotEquals(0, r.exit(), "a read of a failing backend succeeded: " + failing + "\n" + r);
                    written.add(r.out() + r.err());
                }
                written.add(mount.bash("cat .afs/errors .afs/status").out());
                written.add(mount.bash("ls -laR . 2>&1; getfattr -R -d -m - . 2>&1").out());

                // the CLI, in-process reads with the same environment
                for (String[] args : List.of(
                        new String[] {"sh", "--config", config.toString(), "-c", "grep -c ERROR " + LOGS + "/api.log"},
                        new String[] {"sh", "--config", config.toString(), "-c", "cat " + LOGS + "/api.log"},
                        new String[] {"sh", "--config", config.toString(), "-c", "tail -n 1 " + LOGS + "/loki.log"},
                        new String[] {"sh", "--config", config.toString(), "-c", "tail -n 1 " + LOGS + "/cw.log"},
                        new String[] {"evidence", "verify", "--config", config.toString()})) {
                    Mount.Result r = mount.afs(args);
                    written.add(String.join(" ", args) + "\n" + r.out() + r.err());
                }
            }
            written.add(Files.readString(work.resolve("daemon.log")));
            try (Stream<Path> walk = Files.walk(work.resolve("evidence"))) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    written.add(p + "\n" + new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                }
            }
            List<String> secrets = new ArrayList<>(List.of(LOKI_TOKEN, PROM_PASSWORD, AWS_KEY_ID, AWS_SECRET));
            secrets.addAll(KINDS.keySet());
            for (String output : written) {
                for (String secret : secrets) {
                    assertFalse(output.contains(secret), () -> "planted value '" + secret + "' appears in:\n"
                            + excerpt(output, secret));
                }
            }
            assertFalse(evidencePath.isEmpty());
        } finally {
            echo.stop(0);
            Mount.deleteTree(work);
        }
    }

    private static String excerpt(String output, String secret) {
        int i = output.indexOf(secret);
        return output.substring(Math.max(0, i - 300), Math.min(output.length(), i + secret.length() + 100));
    }

    /** A broken backend: 500 for everything, with every request header (Authorization too) in the body. */
    private static HttpServer echoServer() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            StringBuilder body = new StringBuilder("internal error; request was ")
                    .append(exchange.getRequestMethod()).append(' ').append(exchange.getRequestURI()).append('\n');
            exchange.getRequestHeaders().forEach((k, v) -> body.append(k).append(": ").append(v).append('\n'));
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(500, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static Path writeConfig(Path work, String url) throws Exception {
        Path data = Files.createDirectories(work.resolve("data"));
        Files.write(data.resolve("api.log"), LOG);
        Path token = work.resolve("loki-token.txt");
        Files.writeString(token, LOKI_TOKEN + "\n");
        Files.createDirectories(work.resolve("skills"));
        Path config = work.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence: {dir: evidence, retention: 72h}
                skills: skills
                backends:
                  local: {type: file, root: data, cache_ttl: 0s}
                  loki: {type: loki, url: '%1$s', bearer_token_file: loki-token.txt, timeout: 2s, retries: 0, cache_ttl: 0s}
                  prom: {type: prometheus, url: '%1$s', username: svc-reader, password_env: AFS_E2E_PROM_PASSWORD,
                         timeout: 2s, retries: 0, cache_ttl: 0s}
                  cw: {type: cloudwatch, region: us-east-1, endpoint: '%1$s', timeout: 2s, query_timeout: 5s, retries: 0,
                       cache_ttl: 0s}
                teams:
                  %2$s:
                    %3$s:
                      logs:
                        api: {backend: local, path: api.log, window: none}
                        loki: {backend: loki, selector: '{app="api"}'}
                        cw: {backend: cw, log_groups: [/aws/api]}
                      metrics: {backend: prom, series: {requests: up}}
                """.formatted(url, TEAM, ENV));
        return config;
    }

    /** Single-quotes a word for bash. */
    static final class Shell {
        static String quote(Object s) {
            return "'" + s.toString().replace("'", "'\\''") + "'";
        }

        private Shell() {
        }
    }
}
