package dev.aegis.afs.e2e.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.core.loki.FakeLoki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The read path as a hostile reader tries it, on a real mount with several uids (switched with
 * setpriv): a regex that would blow up the daemon, a prefix probe for a redacted key, a secret
 * corpus with near misses, a newline in a query, a reader filling the evidence quota, and a
 * user whose access comes from a supplementary group only the name service knows.
 */
@Timeout(600)
class ReadPathAttackTest {

    private static final int ATTACKER = 1201;
    private static final int READER = 1202;
    private static final int HOG = 1203;
    private static final String NSS_USER = "afsnss9";
    private static final String NSS_GROUP = "afsprobe9";
    private static final int QUOTA = 60;

    private static final String KEY = "AKIAPROBESECRET00001";
    private static final String EMAIL = "carol.probe@example.com";

    private static Path work;
    private static Mount mount;
    private static FakeLoki loki;
    private static boolean createdUser;
    private static int nssUid;

    /** Each corpus line, and exactly what the mount must serve for it. */
    private static final Map<String, String> CORPUS = new LinkedHashMap<>();

    static {
        CORPUS.put("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "aws_secret_access_key = [REDACTED_AWS_SECRET_KEY]");
        CORPUS.put("checksum=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "checksum=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        CORPUS.put("db password=hunter2 ok", "db password=[REDACTED_PASSWORD] ok");
        CORPUS.put("{\"password\": \"s3cr3t!\"}", "{\"password\": \"[REDACTED_PASSWORD]\"}");
        CORPUS.put("password_reset=true sent", "password_reset=true sent");
        CORPUS.put("GET https://bob:hunter2@api.example.com/x", "GET https://bob:[REDACTED_BASIC_AUTH]@api.example.com/x");
        CORPUS.put("basic authentication enabled", "basic authentication enabled");
        CORPUS.put("token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 used", "token [REDACTED_GITHUB_TOKEN] used");
        CORPUS.put("GITLAB glpat-AbCdEfGhIjKlMnOpQrSt ok", "GITLAB [REDACTED_GITLAB_TOKEN] ok");
        CORPUS.put("slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack [REDACTED_SLACK_TOKEN]");
        CORPUS.put("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc ok", "stripe [REDACTED_STRIPE_KEY] ok");
        CORPUS.put("stripe pk_live_4eC39HqLyjWDarjtT1zdp7dc is public", "stripe pk_live_4eC39HqLyjWDarjtT1zdp7dc is public");
        CORPUS.put("key=AIzaSyA1234567890abcdefghijklmnopqrstuv ok", "key=[REDACTED_GOOGLE_API_KEY] ok");
        CORPUS.put("-----BEGIN OPENSSH PRIVATE KEY-----", "[REDACTED_PRIVATE_KEY]");
        CORPUS.put("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", "[REDACTED_PRIVATE_KEY]");
        CORPUS.put("-----END OPENSSH PRIVATE KEY-----", "[REDACTED_PRIVATE_KEY]");
        CORPUS.put("-----BEGIN PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----");
        CORPUS.put("paid with 4111111111111111 today", "paid with [REDACTED_CARD_NUMBER] today");
        CORPUS.put("value 16817.4111111111111111 ts=1732190400000", "value 16817.4111111111111111 ts=1732190400000");
        CORPUS.put("id=41111111111111112222", "id=41111111111111112222");
    }

    @BeforeAll
    static void start() throws Exception {
        Mount.assumeFuse();
        assumeTrue(Files.exists(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is absent");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/useradd")), "useradd is absent");
        work = Files.createTempDirectory("afs-attack");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        createNssUser();
        Path data = Files.createDirectories(work.resolve("data"));
        Instant now = Instant.now();
        List<String> api = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            api.add(now.minusSeconds(3000 - i) + (i % 10 == 0 ? " ERROR oom n=" : " INFO ok n=") + i);
        }
        Files.write(data.resolve("api.log"), api);
        Files.write(data.resolve("secrets.log"), List.of(
                now.minusSeconds(30) + " INFO s3 upload key_id=" + KEY + " by " + EMAIL,
                now.minusSeconds(20) + " INFO nothing here",
                now.minusSeconds(10) + " INFO done"));
        Files.write(data.resolve("corpus.log"), new ArrayList<>(CORPUS.keySet()));
        // the same secret in Loki, on more entries than max_entries: a raw prefilter is pushed there
        loki = new FakeLoki();
        List<String> lokiLines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            lokiLines.add("INFO s3 upload key_id=" + KEY + " n=" + i);
        }
        lokiLines.add("ERROR OOMKilled pod api-1");
        loki.addLines(Map.of("app", "secrets"), now.minusSeconds(60), java.time.Duration.ofSeconds(1), lokiLines);
        Files.createDirectories(work.resolve("skills"));
        Path config = work.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence: {dir: evidence}
                skills: skills
                limits:
                  read_time: 30s
                  per_caller: {snapshots_per_hour: %d}
                backends:
                  local: {type: file, root: data, cache_ttl: 0s}
                  loki: {type: loki, url: '%s', cache_ttl: 0s, retries: 0, max_entries: 3}
                teams:
                  shop:
                    prod:
                      access: {read: ["uid:%d", "uid:%d", "uid:%d", "group:%s"]}
                      logs:
                        api: {backend: local, path: api.log, window: none}
                        secrets: {backend: local, path: secrets.log, window: none}
                        corpus: {backend: local, path: corpus.log, window: none, timestamp: none}
                        secrets-loki: {backend: loki, selector: '{app="secrets"}', window: none}
                """.formatted(QUOTA, loki.url(), ATTACKER, READER, HOG, NSS_GROUP));
        mount = Mount.start(work, config, Map.of());
    }

    /** A user whose only way in is a supplementary group in the group database (not held by the process). */
    private static void createNssUser() throws Exception {
        Mount.Result exists = Mount.run(work, List.of("getent", "passwd", NSS_USER), Map.of());
        if (exists.exit() != 0) {
            Mount.Result g = Mount.run(work, List.of("groupadd", "-f", NSS_GROUP), Map.of());
            assertEquals(0, g.exit(), g.err());
            Mount.Result u = Mount.run(work, List.of("useradd", "-M", "-N", "-G", NSS_GROUP, NSS_USER), Map.of());
            assertEquals(0, u.exit(), u.err());
            createdUser = true;
        }
        nssUid = Integer.parseInt(Mount.run(work, List.of("id", "-u", NSS_USER), Map.of()).out().strip());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (mount != null) {
                mount.close();
            }
            if (loki != null) {
                loki.close();
            }
        } finally {
            if (createdUser) {
                Mount.run(work, List.of("userdel", NSS_USER), Map.of());
                Mount.run(work, List.of("groupdel", NSS_GROUP), Map.of());
            }
            Mount.deleteTree(work);
        }
    }

    /** {@code bash -c script} in the mountpoint as {@code uid} (gid = uid, no supplementary groups). */
    private static Mount.Result as(int uid, String script) throws Exception {
        return Mount.run(mount.mountpoint, List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "bash", "-c", script), Map.of());
    }

    private static final String LOGS = "teams/shop/prod/logs/";

    @Test
    void nestedRepetitionIsRefusedWhileOtherReadersGetTheirLines() throws Exception {
        String nested = "((a%7B1000%7D)%7B1000%7D)%7B1000%7D";
        CompletableFuture<Mount.Result> other = CompletableFuture.supplyAsync(() -> {
            try {
                return as(READER, "for i in 1 2 3 4 5; do cat '" + LOGS + "api.log?tail=5' | wc -l; done");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Mount.Result attack = as(ATTACKER, "cat '" + LOGS + "api.log?grep=" + nested + "'");
        assertNotEquals(0, attack.exit());
        assertTrue(attack.err().contains("Invalid argument"), attack.err());
        String errors = as(ATTACKER, "cat .afs/errors").out();
        assertTrue(errors.contains("nests counted repetitions to 1000000000 repeats (limit 1000)"), errors);
        assertEquals("5\n5\n5\n5\n5\n", other.join().out());
        // the shell form and a long flat pattern are refused the same way
        Mount.Result flat = as(ATTACKER, "cat '" + LOGS + "api.log?grep=" + "(x%7B1000%7D)".repeat(25) + "'");
        assertTrue(flat.err().contains("Invalid argument"), flat.err());
        assertTrue(as(ATTACKER, "cat .afs/errors").out().contains("instructions (limit 20000)"));
    }

    @Test
    void aPrefixProbeForARedactedValueFindsNothingAndLeavesNoTrace() throws Exception {
        // the served line shows the marker, and only the marker can be found
        assertEquals(1, lines(as(ATTACKER, "cat '" + LOGS + "secrets.log?grep-F=[REDACTED_AWS_ACCESS_KEY]'").out()));
        Map<String, String> truePrefix = null;
        for (String probe : List.of(KEY.substring(0, 4), KEY.substring(0, 9), KEY.substring(0, 19), KEY)) {
            for (String term : List.of("grep-F=", "grep=", "grep-i=")) {
                Mount.Result r = as(ATTACKER, "cat '" + LOGS + "secrets.log?" + term + probe + "'");
                assertEquals(0, r.exit(), r.err());
                assertEquals("", r.out(), term + probe);
            }
            Mount.Result tail = as(ATTACKER, "cat '" + LOGS + "secrets.log?grep-F=" + probe + "&tail=1'");
            assertEquals("", tail.out(), probe);
            truePrefix = stats("secrets.log?grep-F=" + probe);
        }
        // a right and a wrong guess leave the same stats and truncation flag
        Map<String, String> wrong = stats("secrets.log?grep-F=" + KEY.substring(0, 19) + "9");
        assertEquals(truePrefix, wrong);
        // an email prefix (lower case: the scanner may skip lines by bytes) behaves the same
        assertEquals("", as(ATTACKER, "cat '" + LOGS + "secrets.log?grep-F=carol.pro'").out());
        assertEquals(stats("secrets.log?grep-F=carol.pro"), stats("secrets.log?grep-F=carol.prx"));
        // a filter after a limit, and grep-v, also see served text only
        assertEquals(1, lines(as(ATTACKER, "cat '" + LOGS + "secrets.log?tail=3&grep-v=AKIAPROBE&grep=s3'").out()));
    }

    @Test
    void aPrefixProbeThroughARawPrefilterPushedToLokiFindsNothing() throws Exception {
        // the literal is pushed to Loki as a raw prefilter, the exact filter runs on served text
        Mount.Result oom = as(ATTACKER, "f='" + LOGS + "secrets-loki.log?grep-F=OOMKilled'; cat \"$f\";"
                + " e=$(getfattr --only-values -n user.afs.evidence \"$f\"); getfattr --only-values -n user.afs.query \"$PWD$e\"");
        assertEquals(0, oom.exit(), oom.err());
        assertTrue(oom.out().contains(" ERROR OOMKilled pod api-1\n"), oom.out());
        assertTrue(oom.out().contains("{app=\"secrets\"} |= \"OOMKilled\""), oom.out());
        // six raw entries hold the key (max_entries is 3): a true prefix leaves the trace of a wrong one
        Map<String, String> wrong = stats("secrets-loki.log?grep-F=" + KEY.substring(0, 12) + "X");
        for (String probe : List.of(KEY.substring(0, 4), KEY.substring(0, 12), KEY)) {
            Mount.Result r = as(ATTACKER, "cat '" + LOGS + "secrets-loki.log?grep-F=" + probe + "'");
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.out(), probe);
            assertEquals(wrong, stats("secrets-loki.log?grep-F=" + probe), probe);
        }
        assertEquals("\"0\"", wrong.get("user.afs.stats.entries"));
        assertTrue(loki.received().stream().anyMatch(q -> q.query().contains("|= \"" + KEY + "\"")), "the probe was pushed");
    }

    /** The evidence stats and truncation flag of a read by the attacker, without the wall time. */
    private static Map<String, String> stats(String file) throws Exception {
        Mount.Result r = as(ATTACKER, "f='" + LOGS + file + "'; cat \"$f\" >/dev/null;"
                + " e=$(getfattr --only-values -n user.afs.evidence \"$f\");"
                + " getfattr -d -m 'user.afs.(stats|truncated|lines)' \"$PWD$e\"");
        assertEquals(0, r.exit(), r.err());
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("user.afs.stats.duration_ms")) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertTrue(out.containsKey("user.afs.stats.entries"), r.out());
        return out;
    }

    @Test
    void theSecretCorpusIsRedactedExactlyWithNearMissesUntouched() throws Exception {
        Mount.Result r = as(READER, "cat '" + LOGS + "corpus.log'");
        assertEquals(0, r.exit(), r.err());
        assertEquals(String.join("\n", CORPUS.values()) + "\n", r.out());
    }

    @Test
    void aNewlineOrEscapeInAQueryCannotForgeALogLine() throws Exception {
        String forged = "2026-12-01T00:00:00.000Z WARNING afs: uid 0 FORGED-ENTRY";
        as(ATTACKER, "cat $'" + LOGS + "api.log?tial=1\\n" + forged + "\\x1b[31m' 2>/dev/null;"
                + " cat '" + LOGS + "api.log?grep=%0A" + forged.replace(" ", "%20") + "' 2>/dev/null; true");
        String errors = as(ATTACKER, "cat .afs/errors").out();
        String log = Files.readString(mount.daemonLog, StandardCharsets.UTF_8);
        for (String text : List.of(errors, log)) {
            assertTrue(text.contains("FORGED-ENTRY"), "the failure was recorded:\n" + text);
            assertFalse(text.contains("\u001b"), "a raw escape reached the log");
            for (String line : text.split("\n", -1)) {
                assertFalse(line.startsWith(forged), "a forged line:\n" + text);
                if (line.contains("FORGED-ENTRY")) {
                    // the raw newline shown escaped, or the query still percent-encoded
                    assertTrue(line.contains("\\n" + forged) || line.contains("%0A2026-12-01"), line);
                }
            }
            assertTrue(text.contains("\\n" + forged + "\\x1b[31m"), "the raw newline and ESC, escaped:\n" + text);
            assertTrue(text.isEmpty() || text.endsWith("\n"), "every entry ends with a newline");
        }
    }

    @Test
    void oneUidOverItsQuotaLeavesOtherUidsReading() throws Exception {
        StringBuilder script = new StringBuilder();
        for (int i = 1; i <= QUOTA; i++) {
            script.append("cat '").append(LOGS).append("api.log?tail=").append(i).append("' >/dev/null || echo failed ").append(i).append(";");
        }
        assertEquals("", as(HOG, script.toString()).out());
        Mount.Result over = as(HOG, "cat '" + LOGS + "api.log?tail=" + (QUOTA + 1) + "'");
        assertNotEquals(0, over.exit());
        assertTrue(over.err().contains("Disk quota exceeded"), over.err());
        assertTrue(as(HOG, "cat .afs/errors").out().contains("uid " + HOG + " is over its evidence quota: " + QUOTA
                + " snapshots"));
        assertTrue(as(HOG, "cat .afs/status").out().contains("uid " + HOG + ": " + QUOTA + " snapshots"));
        Mount.Result other = as(READER, "cat '" + LOGS + "api.log?tail=7' | wc -l");
        assertEquals("7\n", other.out(), other.err());
    }

    @Test
    void aSupplementaryGroupFromTheNameServiceGrantsAccess() throws Exception {
        // the process holds no groups (--clear-groups): only NSS knows the user is in the group
        Mount.Result r = as(nssUid, "cat '" + LOGS + "api.log?tail=2' | wc -l");
        assertEquals("2\n", r.out(), r.err());
        Mount.Result stranger = as(1299, "cat '" + LOGS + "api.log?tail=2'");
        assertTrue(stranger.err().contains("Permission denied"), stranger.err());
    }

    private static int lines(String out) {
        return out.isEmpty() ? 0 : out.split("\n").length;
    }
}
