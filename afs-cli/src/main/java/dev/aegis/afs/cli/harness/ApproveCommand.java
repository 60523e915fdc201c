package dev.aegis.afs.cli.harness;

import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs approve ID}: approves a pending change request as the invoking user (never its submitter). */
@Command(name = "approve", mixinStandardHelpOptions = true,
        description = {"Approves a pending change request as the invoking user.",
                "The approver must be listed in changes.approvers of the team/env and may not be the submitter; "
                        + "a two-person change needs two different users."})
public final class ApproveCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ID")
    String id;

    @Mixin
    HarnessUrl harness;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HarnessClient client = harness.client();
        client.approve(id, Caller.self());
        spec.commandLine().getOut().print(client.statusText(id, Caller.self()));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
