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
import dev.aegis.afs.core.tree.TextFile;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code /change_requests}: writing {@code <id>.yaml} (or {@code .json}) hands the document to
 * the harness as the caller; {@code <id>.status} shows its state and every reason. The FUSE
 * daemon holds no write credentials: the harness decides. Harness down: the create fails
 * (EIO, reason in /.afs/errors) — fail closed. Oversized documents fail at write (EFBIG).
 */
public final class ChangeRequestsDir implements DirNode {

    /** Largest document accepted, as the harness' own limit. */
    public static final int MAX_DOCUMENT_BYTES = 256 * 1024;

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,63})\\.(yaml|yml|json)");
    private static final Pattern STATUS = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,63})\\.status");

    private final HarnessClient harness;
    private final Clock clock;
    /** Documents being written, not yet submitted: shown so stat on the new file works. */
    private final java.util.Map<String, Submission> pending = new java.util.concurrent.ConcurrentHashMap<>();

    public ChangeRequestsDir(HarnessClient harness, Clock clock) {
        this.harness = harness;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "change_requests";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return new NodeAttributes(true, 0777, 0, clock.instant(), 2);
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        List<Node> out = new ArrayList<>();
        for (JsonNode r : harness.list(200)) {
            String id = r.path("id").asText();
            out.add(document(id));
            out.add(status(id));
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        java.util.regex.Matcher doc = NAME.matcher(name);
        if (doc.matches()) {
            Submission writing = pending.get(doc.group(1));
            if (writing != null) {
                return writing.node(name);
            }
            harness.get(doc.group(1)); // NOT_FOUND when there is no such request
            return document(doc.group(1));
        }
        java.util.regex.Matcher st = STATUS.matcher(name);
        if (st.matches()) {
            harness.get(st.group(1));
            return status(st.group(1));
        }
        throw AfsException.notFound("/change_requests/" + name);
    }

    @Override
    public OpenFile create(String name, Caller caller) throws AfsException {
        java.util.regex.Matcher doc = NAME.matcher(name);
        if (!doc.matches()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "/change_requests/" + name
                    + ": name a change request <id>.yaml or <id>.json, with an id of letters, digits, '.', '_' or '-'");
        }
        if (!harness.healthy()) {
            // fail closed, and say so where the writer sees it: at create. list() throws the
            // client's own reason (unreachable at URL, how to start it) when it cannot connect.
            harness.list(1);
            throw new AfsException(AfsError.UNAVAILABLE, "the harness is not healthy; nothing was submitted");
        }
        Submission submission = new Submission(doc.group(1), caller);
        pending.put(doc.group(1), submission);
        return submission;
    }

    private FileNode status(String id) {
        return new TextFile(id + ".status", clock, c -> harness.statusText(id));
    }

    private FileNode document(String id) {
        return new TextFile(id + ".yaml", clock, c -> harness.get(id).path("document").asText(""));
    }

    /** A document being written: buffered (capped), submitted on the first flush with data. */
    private final class Submission implements OpenFile {
        private final String id;
        private final Caller caller;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private boolean submitted;

        Submission(String id, Caller caller) {
            this.id = id;
            this.caller = caller;
        }

        @Override
        public long size() {
            return buffer.size();
        }

        @Override
        public int read(long offset, ByteBuffer dst) throws AfsException {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "/change_requests/" + id + ": open for writing only");
        }

        @Override
        public synchronized int write(long offset, ByteBuffer src) throws AfsException {
            if (submitted) {
                throw new AfsException(AfsError.READ_ONLY, "/change_requests/" + id + " was already submitted;"
                        + " write a new request to change it");
            }
            if (offset != buffer.size()) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "/change_requests/" + id + ": write the document in one pass, from the start");
            }
            int n = src.remaining();
            if (buffer.size() + n > MAX_DOCUMENT_BYTES) {
                throw new AfsException(AfsError.TOO_LARGE, "/change_requests/" + id + ": a change request may be at most "
                        + MAX_DOCUMENT_BYTES + " bytes; cite evidence by path instead of pasting it");
            }
            byte[] bytes = new byte[n];
            src.get(bytes);
            buffer.write(bytes, 0, n);
            return n;
        }

        @Override
        public synchronized void flush() throws AfsException {
            if (submitted || buffer.size() == 0) {
                return;
            }
            submitted = true;
            try {
                harness.submit(buffer.toByteArray(), caller, id);
            } finally {
                pending.remove(id, this);
            }
        }

        @Override
        public void close() throws AfsException {
            try {
                flush();
            } finally {
                pending.remove(id, this);
            }
        }

        /** The file as stat shows it while it is being written. */
        FileNode node(String name) {
            Submission self = this;
            return new FileNode() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public NodeAttributes attributes(Caller c) {
                    return new NodeAttributes(false, 0644, self.size(), clock.instant(), 1);
                }

                @Override
                public OpenFile open(Caller c) throws AfsException {
                    throw new AfsException(AfsError.INVALID_ARGUMENT, "/change_requests/" + name + " is being written");
                }

                @Override
                public OpenFile openForWrite(Caller c, boolean truncate) {
                    return self;
                }
            };
        }
    }
}
