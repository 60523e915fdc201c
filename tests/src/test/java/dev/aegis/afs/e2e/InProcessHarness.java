package dev.aegis.afs.e2e;

import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** The harness of an end-to-end test, in the test's JVM: harness.yaml written beside namespaces.yaml, then started. */
final class InProcessHarness {

    private InProcessHarness() {
    }

    /** A loopback port free now, for the harness URL namespaces.yaml must name before the harness starts. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Writes {@code work/harness.yaml} (listening on {@code port}, data in {@code work/data}, the
     * Kubernetes API at {@code masterUrl}, the mount host's capture key pinned) and starts the harness.
     */
    static HarnessDaemon start(Path repo, Path work, int port, String masterUrl) throws IOException {
        Files.writeString(work.resolve("harness.yaml"), """
                listen: 127.0.0.1:%d
                data_dir: data
                namespaces: namespaces.yaml
                kubernetes: {master_url: "%s"}
                """.formatted(port, masterUrl) + ChangeRequestFlowTest.pinnedCaptureKey(repo, work));
        return HarnessDaemon.start(HarnessConfig.read(work.resolve("harness.yaml")));
    }
}
