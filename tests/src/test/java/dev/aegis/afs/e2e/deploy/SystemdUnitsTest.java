package dev.aegis.afs.e2e.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.afs.e2e.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd units pass {@code systemd-analyze verify} without a single warning (systemd
 * ignores an unknown or misspelled directive with only a warning, which would silently drop
 * a hardening option), and the mount unit keeps out of options that would hide its mount.
 */
class SystemdUnitsTest {

    private static final Path REPO = Path.of(System.getProperty("afs.repo", "..")).toAbsolutePath().normalize();
    private static final Path UNITS = REPO.resolve("deploy/systemd");
    private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");

    @TempDir
    Path tmp;

    /** The units as installed, but with ExecStart pointing at this checkout's bin/afs (verify checks it exists). */
    private List<String> installed(String... extraLines) throws Exception {
        List<String> command = new ArrayList<>(List.of(ANALYZE.toString(), "verify"));
        for (String unit : List.of("afs-mount.service", "afs-harness.service")) {
            String text = Files.readString(UNITS.resolve(unit)).replace("/opt/aegis-afs", REPO.toString());
            if (unit.equals("afs-harness.service")) {
                text += String.join("\n", extraLines) + "\n";
            }
            Path copy = tmp.resolve(unit);
            Files.writeString(copy, text);
            command.add(copy.toString());
        }
        return command;
    }

    private static void assumeAnalyzer() {
        assumeTrue(Files.isExecutable(ANALYZE), "systemd-analyze is not installed; bin/setup installs it (package systemd)");
    }

    @Test
    void unitsVerifyWithoutWarnings() throws Exception {
        assumeAnalyzer();
        Shell.Result r = Shell.run(tmp, installed());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", (r.out() + r.err()).strip(), "systemd-analyze verify warned:\n" + r);
    }

    @Test
    void aMisspelledHardeningOptionIsCaught() throws Exception {
        assumeAnalyzer();
        Shell.Result r = Shell.run(tmp, installed("[Service]", "ProtectSytem=strict"));
        assertTrue((r.out() + r.err()).contains("ProtectSytem"), r.toString());
    }

    @Test
    void theMountKeepsTheHostsMountNamespaceAndItsStateInStateDirectories() throws Exception {
        List<String> mount = Files.readAllLines(UNITS.resolve("afs-mount.service"));
        for (String hiding : List.of("ProtectSystem=", "PrivateTmp=", "PrivateMounts=", "ProtectHome=", "PrivateDevices=")) {
            assertFalse(mount.stream().anyMatch(l -> l.startsWith(hiding)), hiding + " would hide the FUSE mount from the host");
        }
        assertTrue(mount.contains("StateDirectory=afs/evidence afs/keys"), "evidence dir as StateDirectory");
        assertTrue(mount.contains("StateDirectoryMode=0700"));
        assertTrue(mount.contains("DeviceAllow=/dev/fuse rw"));
        List<String> harness = Files.readAllLines(UNITS.resolve("afs-harness.service"));
        assertTrue(harness.contains("ProtectSystem=strict") && harness.contains("StateDirectory=afs/harness"));
    }
}
