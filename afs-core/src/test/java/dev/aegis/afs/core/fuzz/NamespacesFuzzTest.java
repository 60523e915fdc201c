package dev.aegis.afs.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.config.Namespaces;
import dev.aegis.afs.core.tree.EnvSection;
import dev.aegis.afs.core.tree.EnvSections;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * namespaces.yaml on arbitrary bytes: {@link ConfigReader}, {@link Namespaces} and
 * {@link Afs#load} refuse with {@link ConfigException} only, with a bounded message; a loaded
 * config builds its tree and closes.
 *
 * <p>Safety: every document starts with a fixed, quoted {@code evidence.dir} in a temp directory
 * (a second {@code evidence:} or {@code dir:} is a duplicate key), and Afs.load runs only when
 * Namespaces confirms the evidence directory is that one, so fuzzed input never makes the
 * evidence store create or sweep directories elsewhere. The environment is empty.
 */
class NamespacesFuzzTest {

    private static final int MAX_MESSAGE_LENGTH = 1024;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    private static Path dir;
    private static Path evidence;
    private static Path file;
    private static byte[] header;
    private static Set<String> sectionKeys;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("afs-ns-fuzz");
        evidence = dir.resolve("evidence");
        file = dir.resolve("namespaces.yaml");
        Files.createDirectories(dir.resolve("live"));
        Files.writeString(dir.resolve("live/api.log"), "2026-11-21T11:59:00Z ERROR oom\n");
        header = ("evidence:\n  dir: '" + evidence + "'\n").getBytes(StandardCharsets.UTF_8);
        sectionKeys = EnvSections.all().stream().map(EnvSection::key).collect(Collectors.toSet());
    }

    @AfterAll
    static void deleteDirectory() throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @FuzzTest(maxDuration = "10s")
    void load(byte[] body) {
        byte[] document = new byte[header.length + body.length];
        System.arraycopy(header, 0, document, 0, header.length);
        System.arraycopy(body, 0, document, header.length, body.length);
        try {
            Files.write(file, document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            ConfigReader.parse("fuzz.yaml", text);
        } catch (ConfigException e) {
            assertBounded(e, text);
        }
        Namespaces config;
        try {
            config = Namespaces.load(file, sectionKeys);
        } catch (ConfigException e) {
            assertBounded(e, text);
            return;
        }
        if (!config.evidence().dir().equals(evidence)) {
            return; // never let fuzzed text choose where evidence is written
        }
        try (Afs afs = Afs.load(file, CLOCK, name -> null, UnixAccounts.system(), List.of())) {
            assertNotNull(afs.root());
        } catch (ConfigException e) {
            assertBounded(e, text);
        }
    }

    /**
     * namespaces.yaml is the operator's file, and a message may quote one of its scalars whole
     * (e.g. an unknown backend type), so the bound is the template plus one copy of the input:
     * never an amplified echo, never the document twice.
     */
    private static void assertBounded(ConfigException e, String input) {
        String message = e.getMessage();
        assertNotNull(message, "ConfigException without a message");
        String withoutPath = message.replace(file.toString(), "F").replace(dir.toString(), "D");
        int limit = MAX_MESSAGE_LENGTH + input.length();
        assertTrue(withoutPath.length() <= limit, () -> "the message has " + withoutPath.length()
                + " chars (limit " + limit + "): " + withoutPath.substring(0, 300) + "...");
    }
}
