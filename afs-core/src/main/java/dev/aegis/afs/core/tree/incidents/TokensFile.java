package dev.aegis.afs.core.tree.incidents;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.OpenFile;
import dev.aegis.afs.core.tree.TextFile;
import dev.aegis.afs.core.tree.WriteOnlyFile;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * {@code /incidents/<id>/tokens}: {@code echo 1500 >> tokens} reports 1500 tokens the writer
 * spent on the incident to the harness, with the writer's uid, so the budget counts them and a
 * token cap stops the incident's next change request. Agents that work only through the mount
 * have no other way to report them. The count is checked at the write, so bash's builtin echo
 * sees the refusal (the reason is in /.afs/errors); the harness refuses a caller that may not
 * see the incident. Reading shows the tokens recorded so far.
 */
final class TokensFile implements FileNode {

    private final String incident;
    private final HarnessClient harness;
    private final Clock clock;

    TokensFile(String incident, HarnessClient harness, Clock clock) {
        this.incident = incident;
        this.harness = harness;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "tokens";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return new NodeAttributes(false, 0666, 0, clock.instant(), 1);
    }

    @Override
    public OpenFile open(Caller caller) throws AfsException {
        return new TextFile(name(), clock, c -> harness.incident(incident, c).path("budget").path("used").path("tokens").asLong()
                + "\n").open(caller);
    }

    @Override
    public WriteOnlyFile openForWrite(Caller caller, boolean truncate) {
        String file = "/incidents/" + incident + "/tokens";
        return (offset, src) -> {
            int n = src.remaining();
            if (n > 1024) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, file + ": a write of " + n
                        + " bytes is not a count of tokens; write one whole number per line, e.g. echo 1500 >> " + file);
            }
            byte[] bytes = new byte[n];
            src.get(bytes);
            harness.reportTokens(incident, TokenCount.parse(file, new String(bytes, StandardCharsets.UTF_8)), caller);
            return n;
        };
    }
}
