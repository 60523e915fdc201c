package dev.aegis.afs.harness;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

/**
 * Runs the harness daemon in a child JVM for {@link KillNineTest}: {@code HarnessChildMain
 * harness.yaml}. With {@code -Dafs.test.hang=after_execute} it prints {@code HANG <point>} and
 * blocks there, so the parent can {@code kill -9} it mid-flow.
 */
public final class HarnessChildMain {

    private HarnessChildMain() {
    }

    public static void main(String[] args) throws Exception {
        HarnessConfig config = HarnessConfig.read(Path.of(args[0]));
        String hang = System.getProperty("afs.test.hang", "");
        KubernetesClient client = HarnessDaemon.kubernetesClient(config.kubernetes());
        Harness.Probe probe = (point, id, index) -> {
            if (point.equals(hang)) {
                System.out.println("HANG " + point + " " + id);
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        HarnessDaemon daemon = HarnessDaemon.start(config, client, Clock.systemUTC(), dev.aegis.afs.core.access.UnixAccounts.system(), probe);
        System.out.println("LISTENING " + daemon.url());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
