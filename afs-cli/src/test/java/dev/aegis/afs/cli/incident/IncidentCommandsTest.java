package dev.aegis.afs.cli.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.cli.Main;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.harness.Harness;
import dev.aegis.afs.harness.HarnessDaemon;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code afs incident export|verify} against an in-process harness: output, files and exit codes. */
class IncidentCommandsTest {

    @TempDir
    Path dir;
    HarnessDaemon daemon;
    String out;
    String err;

    @BeforeEach
    void start() throws Exception {
        daemon = dev.aegis.afs.cli.harness.CliHarness.start(dir);
        // a plan of INC-9 (rejected by policy before any live read), so the incident has ledger entries
        new HarnessClient(URI.create(daemon.url()), Duration.ofSeconds(60), Optional.of(daemon.tokenFile())).submit("""
                incident_id: INC-9
                team: payments
                env: prod
                hypothesis: api is overloaded
                confidence: 0.9
                evidence:
                  - {path: /evidence/2026-11-18/120000.000-abcdefabcdef-api.log, sha256: %s, lines: "1-2"}
                actions:
                  - {tool: restart, target: {kind: Deployment, name: api}, idempotency_key: inc9-1}
                """.formatted("ab".repeat(32)).getBytes(StandardCharsets.UTF_8), Caller.self());
        daemon.harness().awaitIdle();
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.stop();
        }
    }

    private int afs(String... args) {
        dev.aegis.afs.cli.CliRun r = dev.aegis.afs.cli.CliRun.of(Main.commandLine(null), args);
        out = r.out();
        err = r.err();
        return r.exit();
    }

    private Path pinned(String ledgerKey) throws Exception {
        Path keys = Files.createTempFile(dir, "pinned", ".yaml");
        Files.writeString(keys, "ledger: {public_key: " + ledgerKey + "}\n");
        return keys;
    }

    private Path export() {
        Path bundle = dir.resolve("inc-9.tar.gz");
        assertEquals(0, afs("incident", "export", "INC-9", "-o", bundle.toString(), "--harness-url", daemon.url(),
                "--harness-token-file", daemon.tokenFile().toString()), err);
        return bundle;
    }

    @Test
    void exportThenVerifyOfflineWithThePinnedKey() throws Exception {
        Path bundle = export();
        assertTrue(out.startsWith("wrote " + bundle + " ("), out);
        assertTrue(out.contains("verify it offline with: afs incident verify " + bundle + " --keys PINNED"), out);
        daemon.stop(); // offline: nothing but the file and the pinned keys
        daemon = null;
        String key = Harness.ledgerPublicKey(dir.resolve("data"));
        assertEquals(0, afs("incident", "verify", bundle.toString(), "--keys", pinned(key).toString()), out + err);
        assertTrue(out.startsWith("bundle " + bundle + ": verified\n  incident INC-9, exported "), out);
        assertTrue(out.contains("  1 change request(s): plans match the sha256 the ledger recorded; their 0 citation(s) are"
                + " snapshots in the bundle, 1 cite snapshots it does not hold (never registered, or withheld)"), out);
        assertTrue(out.contains("checkpoint of 3 entries"), out);
        assertFalse(out.contains("warning"), out);
        // the harness's own config pins the same key
        Files.writeString(dir.resolve("harness.yaml"), Files.readString(dir.resolve("harness.yaml")) + "ledger: {public_key: " + key + "}\n");
        assertEquals(0, afs("incident", "verify", bundle.toString(), "--keys", dir.resolve("harness.yaml").toString()), out);
    }

    @Test
    void aKeyNotPinnedIsReportedAndNothingVerifies() throws Exception {
        Path bundle = export();
        String stranger = "A".repeat(43);
        assertEquals(1, afs("incident", "verify", bundle.toString(), "--keys", pinned(stranger).toString()));
        assertTrue(out.contains("warning: the bundle carries ledger key " + Harness.ledgerPublicKey(dir.resolve("data"))
                + ", which you did not pin: not trusted"), out);
        assertTrue(out.contains("bundle " + bundle + ": NOT verified: manifest.json: its signature (manifest.sig) does not verify"
                + " under the ledger key you pinned"), out);
    }

    @Test
    void mistakesAreNamed() throws Exception {
        Path bundle = export();
        assertEquals(2, afs("incident", "export", "INC-9", "-o", bundle.toString(), "--harness-url", daemon.url(),
                "--harness-token-file", daemon.tokenFile().toString()));
        assertTrue(err.contains(bundle + " exists; remove it or choose another -o FILE"), err);
        assertEquals(2, afs("incident", "export", "INC-404", "-o", dir.resolve("x.tar.gz").toString(), "--harness-url",
                daemon.url(), "--harness-token-file", daemon.tokenFile().toString()));
        assertTrue(err.contains("no incident INC-404 among what you may read"), err);
        assertFalse(Files.exists(dir.resolve("x.tar.gz")) || Files.exists(dir.resolve("x.tar.gz.part")));
        assertEquals(2, afs("incident", "verify", bundle.toString()));
        assertTrue(err.contains("--keys"), err);
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "evidence: {capture_keys: []}\n");
        assertEquals(2, afs("incident", "verify", bundle.toString(), "--keys", empty.toString()));
        assertTrue(err.contains("no ledger key is pinned"), err);
        Path junk = Files.writeString(dir.resolve("junk.tar.gz"), "not a bundle");
        assertEquals(1, afs("incident", "verify", junk.toString(), "--keys", pinned("A".repeat(43)).toString()));
        assertTrue(out.contains("NOT verified: it does not start with the gzip header afs writes"), out);
    }

    @Test
    void help() {
        assertEquals(0, afs("incident", "--help"));
        assertTrue(out.contains("export") && out.contains("verify"), out);
        assertEquals(0, afs("incident", "verify", "--help"));
        assertTrue(out.contains("ledger: {public_key: <base64url or hex>}"), out);
        assertEquals(2, afs("incident"));
        assertTrue(err.contains("name a subcommand"), err);
    }
}
