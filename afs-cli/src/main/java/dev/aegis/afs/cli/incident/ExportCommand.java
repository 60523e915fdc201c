package dev.aegis.afs.cli.incident;

import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.cli.harness.HarnessUrl;
import dev.aegis.afs.core.Caller;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code afs incident export ID -o FILE}: asks the harness for the incident's evidence bundle. The
 * harness builds it (it alone holds the registered records, the ledger and the key that signs the
 * manifest), with the caller's access lists applied.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes an incident's evidence bundle (tar.gz): the snapshots read under the incident or cited by its"
                + " change requests, their signed capture records, the plans, the ledger slice from the incident's first entry"
                + " to the newest signed checkpoint (entries of other envs and incidents as hashes only) and the public keys,"
                + " with a manifest the harness signs. Only what you may read is included; withheld snapshots are counted.",
                "Check it anywhere with: afs incident verify FILE --keys PINNED"})
public final class ExportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ID", description = "the incident, e.g. INC-7")
    String incident;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "where to write the bundle (must not exist)")
    Path output;

    @Mixin
    HarnessUrl harness;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(output)) {
            throw new ParameterException(spec.commandLine(), output + " exists; remove it or choose another -o FILE");
        }
        long size = harness.client().exportIncident(incident, Caller.self(), output);
        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote " + output + " (" + size + " bytes): the evidence bundle of incident " + incident);
        out.println("verify it offline with: afs incident verify " + output + " --keys PINNED");
        out.flush();
        return ExitCodes.OK;
    }
}
