package dev.aegis.afs.cli.harness;

import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.incident.IncidentReview;
import dev.aegis.afs.evidence.IncidentId;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs review INCIDENT}: the post-incident review, as /incidents/<id>/review.md shows it. */
@Command(name = "review", mixinStandardHelpOptions = true,
        description = {"Reviews an incident's chain of reads, plans and actions, as the invoking user may see it.",
                "Reads no plan cited (redundant); reads a pushed-down query would have made cheaper (a whole log later "
                        + "narrowed with grep: bytes and time saved); time to the first evidence of the cause (the first "
                        + "read a plan cited); each change request's actions and verify outcome; approvals and how long "
                        + "they were waited for; and the feedback humans left "
                        + "(echo useful|useless|dangerous > /incidents/<id>/feedback/<step>).",
                "The same text is /incidents/<id>/review.md on the mount, and --json is its review.json.",
                "Exit status: 0, 2 for a malformed incident id, 3 when the harness cannot be reached."})
public final class ReviewCommand implements Callable<Integer> {

    @Parameters(paramLabel = "INCIDENT", description = "the incident id, e.g. INC-7")
    String incident;

    @Option(names = "--json", description = "print the review as JSON (review.json) instead of Markdown")
    boolean json;

    @Mixin
    HarnessUrl harness;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Optional<String> problem = IncidentId.problem(incident);
        if (problem.isPresent()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "INCIDENT " + problem.get());
        }
        IncidentReview review = IncidentReview.of(harness.client().timeline(incident, Caller.self()));
        spec.commandLine().getOut().print(json ? review.json().toPrettyString() + "\n" : review.markdown());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
