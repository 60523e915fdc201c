package dev.aegis.afs.core.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.prometheus.RecordingCaptures;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.TreeReads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config/ over a bare repository made by the test: the tree, .history and .diff, as evidence. */
class GitConfigTest {

    private static final Instant BASE = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir
    Path dir;

    private ConfigRepo repo;
    private DirNode config;

    @BeforeEach
    void setUp() throws Exception {
        repo = ConfigRepo.create(dir, BASE);
        Clock clock = Clock.fixed(BASE, ZoneOffset.UTC);
        Backend git = new GitBackendType().create("deploy", ConfigReader.parse("namespaces.yaml",
                "type: git\nrepo: config.git\nbranch: main\n"), new BackendContext(dir, clock, k -> null));
        Path evidence = Files.createDirectories(dir.resolve("evidence"));
        EnvContext env = new EnvContext("payments", "prod", "/teams/payments/prod", Map.of("deploy", git), Map.of(),
                new RecordingCaptures(evidence, clock), clock, dir);
        config = new ConfigSection().directory(env, ConfigReader.parse("namespaces.yaml",
                "backend: deploy\npath: envs/prod\n"));
    }

    private Node resolve(String path) throws AfsException {
        return TreeReads.resolve(config, path);
    }

    private EvidenceRecord capture(String path) throws AfsException {
        return TreeReads.capture(config, path);
    }

    private String read(String path) throws Exception {
        return TreeReads.read(config, path);
    }

    @Test
    void theTreeAtTheTipIsTheEnvsFolder() throws Exception {
        assertEquals(List.of(".history", ".diff", "payment-api"), config.list(Caller.self()).stream().map(Node::name).toList());
        assertEquals(List.of("deployment.yaml", "values.yaml"),
                ((DirNode) resolve("payment-api")).list(Caller.self()).stream().map(Node::name).toList());
        assertEquals(ConfigRepo.VALUES_V2, read("payment-api/values.yaml"));
        EvidenceRecord r = capture("payment-api/values.yaml");
        assertEquals("git show " + repo.poolChange + ":envs/prod/payment-api/values.yaml", r.query());
        assertEquals("git:deploy", r.backend());
    }

    @Test
    void historyListsTheCommitsTouchingTheEnvOnly() throws Exception {
        assertEquals("2026-11-21T07:00:00Z " + repo.initial.substring(0, 12) + " alice <alice@example.com> initial manifests\n"
                + "2026-11-21T09:40:00Z " + repo.poolChange.substring(0, 12) + " carol <carol@example.com> payment-api: db pool 50 -> 10\n",
                read(".history"));
        assertEquals("2026-11-21T09:40:00Z " + repo.poolChange.substring(0, 12)
                + " carol <carol@example.com> payment-api: db pool 50 -> 10\n", read(".history?since=1h"));
        assertEquals("git log " + repo.poolChange + " --since=2026-11-21T09:00:00Z -- envs/prod",
                capture(".history?since=1h").query());
    }

    @Test
    void theDiffOfAWindowShowsWhatChangedBeforeTheErrors() throws Exception {
        String diff = read(".diff?since=1h");
        assertEquals("""
                diff --git a/envs/prod/payment-api/values.yaml b/envs/prod/payment-api/values.yaml
                index %s..%s 100644
                --- a/envs/prod/payment-api/values.yaml
                +++ b/envs/prod/payment-api/values.yaml
                @@ -1,3 +1,3 @@
                -image: payment-api:1.4.1
                -dbPool: 50
                +image: payment-api:1.4.2
                +dbPool: 10
                 timeoutMs: 800
                """.formatted(diff.lines().toList().get(1).substring(6, 13), diff.lines().toList().get(1).substring(15, 22)),
                diff);
        assertEquals("git diff " + repo.staging + " " + repo.poolChange + " -- envs/prod", capture(".diff?since=1h").query());
        assertEquals(diff, read(".diff"), "with no terms: the last change");
        assertEquals(diff, read(".diff?rev=" + repo.poolChange.substring(0, 10)));
        assertEquals("", read(".diff?rev=" + repo.staging), "a commit outside the env's folder changes nothing in it");
    }

    @Test
    void mistakesAreExplainedAndNothingIsWritable() {
        AfsException bad = assertThrows(AfsException.class, () -> resolve(".diff?tail=3"));
        assertEquals(AfsError.INVALID_QUERY, bad.error());
        assertTrue(bad.getMessage().contains("'tail' does not apply to .diff"), bad.getMessage());
        AfsException missing = assertThrows(AfsException.class, () -> resolve("payment-api/secrets.yaml"));
        assertEquals(AfsError.NOT_FOUND, missing.error());
        AfsException rev = assertThrows(AfsException.class, () -> capture(".diff?rev=deadbeef00"));
        assertEquals(AfsError.NOT_FOUND, rev.error(), rev.getMessage());
        AfsException write = assertThrows(AfsException.class, () -> config.create("x.yaml", Caller.self()));
        assertEquals(AfsError.READ_ONLY, write.error());
        ConfigException notRepo = assertThrows(ConfigException.class, () -> new GitBackendType().create("x",
                ConfigReader.parse("namespaces.yaml", "type: git\nrepo: evidence\n"), new BackendContext(dir,
                        Clock.systemUTC(), k -> null)));
        assertTrue(notRepo.getMessage().contains("is not a git repository"), notRepo.getMessage());
    }
}
