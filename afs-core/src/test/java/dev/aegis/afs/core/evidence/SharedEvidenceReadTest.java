package dev.aegis.afs.core.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.evidence.store.DirCaptureStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mount that reads from the shared store lists and serves what another mount wrote: host A
 * captures and puts into the store (a directory store here; PostgreSQL end to end in
 * SharedEvidenceTest), host B, which never read it, finds it, with its content checked on the way.
 */
class SharedEvidenceReadTest {

    @TempDir
    Path dir;

    private EvidenceStore host(String name) throws Exception {
        EvidenceStore s = new EvidenceStore(dir.resolve(name + "/evidence"), Duration.ofHours(72), 1 << 20,
                Clock.systemUTC(), CallerNames.system(), dir.resolve(name + "/keys/capture.key"));
        s.checkAtStart();
        return s;
    }

    private static EvidenceRecord capture(EvidenceStore s, String line) throws Exception {
        return s.capture("payments.prod.logs.api.log", "/teams/payments/prod/logs/api.log?grep=" + line, out -> {
            out.line(line);
            return new CaptureInfo("file:demo", "grep", Optional.empty(), ReadStats.complete(10, 1, Duration.ZERO));
        });
    }

    @Test
    void aSnapshotAnotherMountWroteIsListedAndFetchedOnceItsContentMatches() throws Exception {
        DirCaptureStore shared = new DirCaptureStore(Files.createDirectories(dir.resolve("store"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
        EvidenceStore a = host("a");
        EvidenceRecord mine = capture(a, "ERROR OutOfMemoryError");
        shared.put(mine.signed(), mine.file(), mine.stats());
        EvidenceRecord forged = capture(a, "ERROR disk full");
        shared.put(forged.signed(), forged.file(), forged.stats());
        // someone rewrites the second one's content in the store
        Path blob = shared.dir().resolve("blobs/payments/prod").resolve(forged.sha256());
        Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(blob, "ERROR nothing to see\n");

        EvidenceStore b = host("b");
        assertEquals(List.of(), b.ids(), "before: host B knows only its own directory");
        b.readFrom(shared);
        assertEquals(List.of(mine.id(), forged.id()), b.ids());
        assertTrue(b.days().contains(mine.id().substring(0, 10)));
        EvidenceRecord fetched = b.find(mine.id()).orElseThrow();
        assertEquals(mine.sha256(), fetched.sha256());
        assertArrayEquals(Files.readAllBytes(mine.file()), Files.readAllBytes(fetched.file()));
        assertTrue(fetched.file().startsWith(b.dir()), "kept in B's directory: the verified result is cached there");
        assertTrue(b.verify(fetched).ok(), b.verify(fetched).toString());

        assertFalse(b.find(forged.id()).isPresent(), "content that does not hash to its record is not served");
        assertTrue(b.sharedProblem().contains("hashes to"), b.sharedProblem());
        assertFalse(Files.exists(b.dir().resolve(forged.id())));
    }
}
