package dev.aegis.afs.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.intent.Action;
import dev.aegis.afs.intent.Intent;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.IntentSigner;
import dev.aegis.afs.intent.IntentVerifier;
import dev.aegis.afs.intent.Jwks;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.ReplayCache;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** afs keys and afs agent as an operator runs them: output, files, exit codes. */
class KeysAndAgentCommandsTest {

    @TempDir
    Path dir;
    String out;
    String err;

    private int run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setExitCodeExceptionMapper(new ExitCodes());
        cl.setExecutionExceptionHandler(new ExitCodes());
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        int code = cl.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void initRootThenRotateGivesKeysAnAgentPinningThePrintedKeyAccepts() throws Exception {
        Path root = dir.resolve("root.key");
        assertEquals(0, run(new KeysCommand(), "init-root", "--out", root.toString()), err);
        String pinned = out.strip();
        assertEquals(43, pinned.length(), out);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        assertTrue(err.contains("keep it offline"), err);

        assertEquals(0, run(new KeysCommand(), "rotate", "--root", root.toString(), "--data-dir", dir.resolve("data").toString(),
                "--count", "2"), err);
        String[] lines = out.strip().split("\n");
        assertEquals(2, lines.length, out);
        assertTrue(lines[1].contains("  "), out);

        IntentKeyStore store = IntentKeyStore.open(dir.resolve("data"));
        Intent i = new IntentSigner(store, Clock.systemUTC(), new SecureRandom(), IntentSigner.DEFAULT_TTL)
                .sign(new Action("prod-eu", "cr-1", "a1", "scale", new Action.Target("Deployment", "payments", "api"),
                        Map.of("replicas", 3L), Action.Mode.SHADOW, "00", "k"));
        try (ReplayCache replay = ReplayCache.open(dir.resolve("replay"))) {
            Jwks jwks = Jwks.parse(Jwks.json(store.published(Instant.now())));
            new IntentVerifier(KeyFile.publicKey(pinned), "prod-eu", jwks::certificate, replay, Clock.systemUTC(),
                    IntentVerifier.DEFAULT_SKEW).verify(i.compact());
        }
    }

    @Test
    void initRootNeverOverwritesARootKey() throws Exception {
        Path root = dir.resolve("root.key");
        assertEquals(0, run(new KeysCommand(), "init-root", "--out", root.toString()));
        String before = Files.readString(root);
        assertEquals(ExitCodes.USAGE, run(new KeysCommand(), "init-root", "--out", root.toString()));
        assertTrue(err.contains("already exists; a root key is never overwritten"), err);
        assertEquals(before, Files.readString(root));
    }

    @Test
    void rotateRefusesAGroupReadableRootKeyWithTheFix() throws Exception {
        Path root = dir.resolve("root.key");
        run(new KeysCommand(), "init-root", "--out", root.toString());
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(ExitCodes.EXTERNAL, run(new KeysCommand(), "rotate", "--root", root.toString(), "--data-dir", dir.toString()));
        assertTrue(err.contains("chmod 600 " + root), err);
    }

    @Test
    void agentPrintKeyCreatesThe0600KeyAndABadConfigNamesTheKey() throws Exception {
        Files.writeString(dir.resolve("agent.yaml"), """
                cluster: prod-eu
                control_plane: https://afs.example:7780
                root_public_key: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo
                policy: policy.yaml
                data_dir: data
                """);
        assertEquals(0, run(new AgentCommand(), "--config", dir.resolve("agent.yaml").toString(), "--print-key"), err);
        assertEquals(43, out.strip().length(), out);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("agent.key"))));
        assertTrue(err.contains("agents.prod-eu.public_key"), err);

        Files.writeString(dir.resolve("bad.yaml"), "cluster: prod-eu\ncontrol_plane: http://afs.example:7780\n");
        assertEquals(ExitCodes.USAGE, run(new AgentCommand(), "--config", dir.resolve("bad.yaml").toString()));
        assertTrue(err.contains("control_plane must be https://"), err);
    }
}
