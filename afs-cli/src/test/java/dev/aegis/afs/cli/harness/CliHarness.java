package dev.aegis.afs.cli.harness;

import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.HarnessDaemon;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An in-process harness for CLI tests: payments/prod may scale (approver uid 2001), the cluster is
 * unreachable (http://127.0.0.1:1), so plans end in gates that need no live read.
 */
public final class CliHarness {

    private CliHarness() {
    }

    public static HarnessDaemon start(Path dir) throws Exception {
        Files.writeString(dir.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                teams:
                  payments:
                    prod:
                      changes: {mode: execute, allow: [scale], approvers: {uids: [2001]}}
                """);
        Files.writeString(dir.resolve("harness.yaml"), """
                listen: 127.0.0.1:0
                data_dir: data
                namespaces: namespaces.yaml
                kubernetes: {master_url: "http://127.0.0.1:1"}
                """);
        return HarnessDaemon.start(HarnessConfig.read(dir.resolve("harness.yaml")));
    }
}
