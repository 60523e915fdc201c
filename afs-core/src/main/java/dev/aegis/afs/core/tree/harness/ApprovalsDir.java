package dev.aegis.afs.core.tree.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.OpenFile;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /approvals/<id>/approve} and {@code /reject}: writing either (e.g.
 * {@code echo yes > /approvals/<id>/approve}) approves or rejects as the writing uid. The
 * decision is made when the file is opened for writing, so a refusal (self-approval, not an
 * approver) reaches even bash's builtin echo as EACCES, with the reason in /.afs/errors.
 */
public final class ApprovalsDir implements DirNode {

    private final HarnessClient harness;
    private final Clock clock;

    public ApprovalsDir(HarnessClient harness, Clock clock) {
        this.harness = harness;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "approvals";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(clock.instant(), 0);
    }

    /** Requests waiting for approval. */
    @Override
    public List<Node> list(Caller caller) throws AfsException {
        List<Node> out = new ArrayList<>();
        for (JsonNode r : harness.list(200)) {
            if (r.path("state").asText().equals("PENDING_APPROVAL")) {
                out.add(new Request(r.path("id").asText()));
            }
        }
        return out;
    }

    @Override
    public Node child(String id, Caller caller) throws AfsException {
        harness.get(id);
        return new Request(id);
    }

    private final class Request implements DirNode {
        private final String id;

        Request(String id) {
            this.id = id;
        }

        @Override
        public String name() {
            return id;
        }

        @Override
        public NodeAttributes attributes(Caller caller) {
            return new NodeAttributes(true, 0777, 0, clock.instant(), 2);
        }

        @Override
        public List<Node> list(Caller caller) {
            return List.of(new Decision(id, true), new Decision(id, false));
        }

        @Override
        public Node child(String name, Caller caller) throws AfsException {
            return switch (name) {
                case "approve" -> new Decision(id, true);
                case "reject" -> new Decision(id, false);
                default -> throw AfsException.notFound("/approvals/" + id + "/" + name);
            };
        }

        @Override
        public OpenFile create(String name, Caller caller) throws AfsException {
            return ((Decision) child(name, caller)).openForWrite(caller, true);
        }
    }

    private final class Decision implements FileNode {
        private final String id;
        private final boolean approve;

        Decision(String id, boolean approve) {
            this.id = id;
            this.approve = approve;
        }

        @Override
        public String name() {
            return approve ? "approve" : "reject";
        }

        @Override
        public NodeAttributes attributes(Caller caller) {
            return new NodeAttributes(false, 0666, 0, clock.instant(), 1);
        }

        @Override
        public OpenFile open(Caller caller) throws AfsException {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "/approvals/" + id + "/" + name()
                    + ": write to it to decide (echo yes > ...); read /change_requests/" + id + ".status for the state");
        }

        @Override
        public OpenFile openForWrite(Caller caller, boolean truncate) throws AfsException {
            if (approve) {
                harness.approve(id, caller);
            } else {
                harness.reject(id, caller, "rejected by uid " + caller.uid() + " through /approvals");
            }
            return new OpenFile() {
                @Override
                public long size() {
                    return 0;
                }

                @Override
                public int read(long offset, ByteBuffer dst) {
                    return -1;
                }

                @Override
                public int write(long offset, ByteBuffer src) {
                    int n = src.remaining();
                    src.position(src.limit());
                    return n; // the decision was taken at open; the content is not needed
                }
            };
        }
    }
}
