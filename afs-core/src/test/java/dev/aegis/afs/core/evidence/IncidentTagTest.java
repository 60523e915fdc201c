package dev.aegis.afs.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.access.UnixAccounts;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.OpenFile;
import dev.aegis.afs.core.tree.incidents.IncidentsDir;
import dev.aegis.afs.evidence.PinnedKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads are tagged with the incident the reader works under: {@code AFS_INCIDENT} in the
 * environment of a real process (read from /proc/<pid>/environ), or a read through
 * {@code /incidents/<id>/teams/...}; the tag is signed into the record and shown as
 * {@code user.afs.incident}.
 */
class IncidentTagTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    @TempDir
    Path dir;
    private Afs afs;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void load() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/api.log"), NOW.minusSeconds(5) + " ERROR db pool exhausted\n");
        Files.writeString(dir.resolve("namespaces.yaml"), """
                evidence: {dir: evidence, retention: 72h}
                backends:
                  local: {type: file, root: logs, cache_ttl: 60s}
                teams:
                  payments:
                    prod:
                      access: {read: ["uid:1000"]}
                      logs:
                        api: {backend: local, path: api.log}
                """);
        afs = Afs.load(dir.resolve("namespaces.yaml"), Clock.fixed(NOW, ZoneOffset.UTC), System::getenv,
                UnixAccounts.system(), List.of());
    }

    @AfterEach
    void stop() throws Exception {
        afs.close();
        for (Process p : started) {
            p.destroyForcibly().waitFor();
        }
    }

    /** A real process whose environment holds {@code AFS_INCIDENT=value} (or none when null). */
    private long processWith(String value) throws Exception {
        ProcessBuilder b = new ProcessBuilder("sleep", "60");
        b.environment().remove(CallerNames.INCIDENT_VARIABLE);
        if (value != null) {
            b.environment().put(CallerNames.INCIDENT_VARIABLE, value);
        }
        Process p = b.start();
        started.add(p);
        return p.pid();
    }

    private EvidenceRecord read(String path, Caller caller) throws Exception {
        Node node = afs.resolve(path, caller);
        try (OpenFile ignored = ((FileNode) node).open(caller)) {
            String evidence = node.xattr(LiveFile.XATTR_EVIDENCE, caller).orElseThrow();
            return afs.evidence().read(evidence);
        }
    }

    private String xattr(EvidenceRecord r, String name, Caller caller) throws Exception {
        return afs.resolve(r.treePath(), caller).xattr(name, caller).orElse("(none)");
    }

    @Test
    void aReaderWithAfsIncidentInItsEnvironmentTagsItsReadsAndTheTagIsSigned() throws Exception {
        Caller reader = new Caller(1000, 1000, processWith("INC-7"));
        EvidenceRecord r = read("/teams/payments/prod/logs/api.log?tail=1", reader);
        assertEquals(Optional.of("INC-7"), r.incident());
        assertEquals("INC-7", xattr(r, "user.afs.incident", reader));
        assertTrue(afs.resolve(r.treePath(), reader).xattrNames(reader).contains("user.afs.incident"));
        PinnedKeys keys = PinnedKeys.of(afs.evidence().key().pinned());
        assertTrue(afs.evidence().verify(r, Optional.of(keys)).ok());
        String sidecar = Files.readString(EvidenceStore.sidecarPath(r.file()), StandardCharsets.UTF_8);
        assertTrue(sidecar.contains("\"incident\" : \"INC-7\""), sidecar);

        // another process of the same user without the variable: no tag, and no attribute
        Caller plain = new Caller(1000, 1000, processWith(null));
        EvidenceRecord untagged = read("/teams/payments/prod/logs/api.log?tail=1", plain);
        assertEquals(Optional.empty(), untagged.incident());
        assertEquals("(none)", xattr(untagged, "user.afs.incident", plain));
        // the cached read was not lent with the wrong tag: a record of its own, same content
        assertNotEquals(r.id(), untagged.id());
        assertEquals(r.sha256(), untagged.sha256());
    }

    @Test
    void aReadThroughTheIncidentPrefixIsTheSameTreeTaggedWithTheIncident() throws Exception {
        Caller reader = new Caller(1000, 1000, processWith(null));
        String path = "/incidents/INC-9/teams/payments/prod/logs/api.log?tail=1";
        Caller tagged = IncidentsDir.tag(path, reader);
        assertEquals(Optional.of("INC-9"), tagged.incident());
        EvidenceRecord r = read(path, tagged);
        assertEquals(Optional.of("INC-9"), r.incident());
        assertEquals("/teams/payments/prod/logs/api.log?tail=1", r.source(), "the source is the tree path read");
        assertEquals("payments", r.team());
        // the path wins over the environment
        Caller both = IncidentsDir.tag(path, new Caller(1000, 1000, processWith("INC-1")));
        assertEquals(Optional.of("INC-9"), read(path, both).incident());
        // the same access lists: uid 1001 may not read payments/prod through the prefix either
        Caller other = IncidentsDir.tag(path, new Caller(1001, 1001, processWith(null)));
        AfsException denied = assertThrows(AfsException.class, () -> afs.resolve(path, other));
        assertEquals(AfsError.ACCESS_DENIED, denied.error());
    }

    @Test
    void anInvalidIncidentIsRefusedWithTheReasonNotRecordedUnderNone() throws Exception {
        Caller reader = new Caller(1000, 1000, processWith("INC 7; rm -rf"));
        int before = afs.evidence().ids().size();
        AfsException e = assertThrows(AfsException.class, () -> read("/teams/payments/prod/logs/api.log?tail=1", reader));
        assertEquals(AfsError.INVALID_ARGUMENT, e.error());
        assertTrue(e.getMessage().startsWith("AFS_INCIDENT in the environment of sleep (pid "), e.getMessage());
        assertTrue(e.getMessage().contains("'INC 7; rm -rf' is not an incident id"), e.getMessage());
        assertEquals(before, afs.evidence().ids().size(), "nothing was captured");

        Caller plain = new Caller(1000, 1000, processWith(null));
        AfsException badPath = assertThrows(AfsException.class, () -> afs.resolve("/incidents/a..b c/teams", plain));
        assertEquals(AfsError.INVALID_ARGUMENT, badPath.error());
        assertTrue(badPath.getMessage().contains("is not an incident id"), badPath.getMessage());
        assertEquals(Optional.empty(), IncidentsDir.incidentOf("/incidents/../teams/payments"));
        assertEquals(Optional.empty(), IncidentsDir.incidentOf("/incidents/INC-7/timeline.md"));
        assertEquals(Optional.of("INC-7"), IncidentsDir.incidentOf("/incidents/INC-7/teams"));
    }

    @Test
    void aProcessThatIsGoneOrUnreadableIsSimplyUntagged() throws Exception {
        Path proc = dir.resolve("proc");
        Files.createDirectories(proc.resolve("77"));
        Files.write(proc.resolve("77/environ"), "HOME=/root\0AFS_INCIDENTX=no\0AFS_INCIDENT=INC-3\0".getBytes(StandardCharsets.UTF_8));
        CallerNames names = new CallerNames("web-3", proc);
        assertEquals(Optional.of("INC-3"), names.tagged(new Caller(1, 1, 77)).incident());
        assertEquals(Optional.empty(), names.tagged(new Caller(1, 1, 78)).incident());
        assertEquals(Optional.of("INC-4"), names.tagged(new Caller(1, 1, 77).withIncident("INC-4")).incident());
    }
}
