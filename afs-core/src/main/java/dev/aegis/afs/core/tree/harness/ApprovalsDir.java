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
 * {@code /approvals/<id>/approve} and {@code /reject}: {@code echo yes > /approvals/<id>/approve}
 * approves as the writing uid; only {@code yes} or {@code approve} approve, anything else is
 * EINVAL. Whatever is written to {@code reject} is the reason. The decision is made at the
 * write, so a refusal (self-approval, not an approver, an agent) reaches even bash's builtin
 * echo ("write error: Permission denied"), with the reason in /.afs/errors. Only requests of
 * envs the caller may read are listed or found.
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
        for (JsonNode r : harness.list(200, caller)) {
            if (r.path("state").asText().equals("PENDING_APPROVAL")) {
                out.add(new Request(r.path("id").asText()));
            }
        }
        return out;
    }

    @Override
    public Node child(String id, Caller caller) throws AfsException {
        harness.get(id, caller);
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
            return new OpenFile() {
                private boolean decided;

                @Override
                public long size() {
                    return 0;
                }

                @Override
                public int read(long offset, ByteBuffer dst) {
                    return -1;
                }

                @Override
                public synchronized int write(long offset, ByteBuffer src) throws AfsException {
                    int n = src.remaining();
                    byte[] bytes = new byte[Math.min(n, 4096)];
                    src.get(bytes);
                    src.position(src.limit());
                    if (decided) {
                        return n; // one decision per open
                    }
                    decided = true;
                    String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
                    if (approve) {
                        String word = text.toLowerCase(java.util.Locale.ROOT);
                        if (!word.equals("yes") && !word.equals("approve")) {
                            throw new AfsException(AfsError.INVALID_ARGUMENT, "/approvals/" + id + "/approve: '"
                                    + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                                    + "' approves nothing; write yes (or approve) to approve, or a reason to reject");
                        }
                        harness.approve(id, caller);
                    } else {
                        if (text.isEmpty()) {
                            throw new AfsException(AfsError.INVALID_ARGUMENT, "/approvals/" + id
                                    + "/reject: write the reason, e.g. echo 'memory is not the problem' > reject");
                        }
                        harness.reject(id, caller, text);
                    }
                    return n;
                }
            };
        }
    }
}
