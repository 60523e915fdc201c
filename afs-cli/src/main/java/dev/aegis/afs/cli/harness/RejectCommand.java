package dev.aegis.afs.cli.harness;

import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs reject ID --reason R}: rejects a pending change request as the invoking approver. */
@Command(name = "reject", mixinStandardHelpOptions = true,
        description = "Rejects a pending change request as the invoking approver; the reason goes into the ledger.")
public final class RejectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded in the ledger)")
    String reason;

    @Mixin
    HarnessUrl harness;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HarnessClient client = harness.client();
        client.reject(id, Caller.self(), reason);
        spec.commandLine().getOut().print(client.statusText(id, Caller.self()));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
