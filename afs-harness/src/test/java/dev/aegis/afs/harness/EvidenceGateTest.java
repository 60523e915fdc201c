package dev.aegis.afs.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceGateTest {

    @TempDir
    Path dir;

    @Test
    void aSnapshotChangedAfterItVerifiedIsCaughtOnTheNextCheck() throws Exception {
        try (HarnessFixture f = new HarnessFixture(dir)) {
            EvidenceRecord r = f.snapshot(5);
            EvidenceGate gate = new EvidenceGate(f.evidence, Duration.ofHours(1), f.clock);
            ChangeRequest cr = ChangeRequestParser.parse("cr", HarnessFixture.plan("prod", 0.9, HarnessFixture.pointer(r, "1-5"),
                    HarnessFixture.scale("api", 2, "k"), "").getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of(), gate.check(cr.evidence()));
            assertEquals(List.of(), gate.check(cr.evidence()));

            Files.setPosixFilePermissions(r.file(), PosixFilePermissions.fromString("rw-r--r--"));
            byte[] bytes = Files.readAllBytes(r.file());
            bytes[0] = (byte) (bytes[0] ^ 1);
            Files.write(r.file(), bytes);
            List<String> problems = gate.check(cr.evidence());
            assertEquals(1, problems.size());
            assertTrue(problems.get(0).contains("snapshot failed verification: content sha256"), problems.get(0));
        }
    }
}
