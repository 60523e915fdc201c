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
 *
 * <p>All or nothing: a document is submitted at the close of a writer that wrote all of it
 * without error. A write that failed (EFBIG, out of order) poisons the handle, and a writer
 * killed mid-write (its descriptors closed by the kernel as it dies of a signal) submits
 * nothing either. A caller sees only the requests of envs it may read (the harness decides).
 */
public final class ChangeRequestsDir implements DirNode {

    /** Largest document accepted, as the harness' own limit. */
    public static final int MAX_DOCUMENT_BYTES = 256 * 1024;

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,63})\\.(yaml|yml|json)");
    private static final Pattern STATUS = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,63})\\.status");
    private static final Pattern RISK = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,63})\\.risk");

    private final HarnessClient harness;
    private final Clock clock;
    private final dev.aegis.afs.core.ProcessExits exits;
    /** Documents being written, not yet submitted: shown so stat on the new file works. */
    private final java.util.Map<String, Submission> pending = new java.util.concurrent.ConcurrentHashMap<>();

    public ChangeRequestsDir(HarnessClient harness, Clock clock) {
        this(harness, clock, dev.aegis.afs.core.ProcessExits.system());
    }

    public ChangeRequestsDir(HarnessClient harness, Clock clock, dev.aegis.afs.core.ProcessExits exits) {
        this.harness = harness;
        this.clock = clock;
        this.exits = exits;
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
        for (JsonNode r : harness.list(200, caller)) {
            String id = r.path("id").asText();
            out.add(document(id));
            out.add(status(id));
            out.add(risk(id));
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        java.util.regex.Matcher doc = NAME.matcher(name);
        if (doc.matches()) {
            Submission writing = pending.get(doc.group(1));
            if (writing != null && writing.caller.uid() == caller.uid()) {
                return writing.node(name);
            }
            harness.get(doc.group(1), caller); // NOT_FOUND when there is no such request, or the caller may not see it
            return document(doc.group(1));
        }
        java.util.regex.Matcher st = STATUS.matcher(name);
        if (st.matches()) {
            harness.get(st.group(1), caller);
            return status(st.group(1));
        }
        java.util.regex.Matcher risk = RISK.matcher(name);
        if (risk.matches()) {
            harness.get(risk.group(1), caller);
            return risk(risk.group(1));
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
            harness.list(1, caller);
            throw new AfsException(AfsError.UNAVAILABLE, "the harness is not healthy; nothing was submitted");
        }
        Submission submission = new Submission(doc.group(1), caller);
        pending.put(doc.group(1), submission);
        return submission;
    }

    /** The harness' risk report (YAML): blast radius over the service graph, counterfactual impact. */
    private FileNode risk(String id) {
        return new TextFile(id + ".risk", clock, c -> harness.riskText(id, c));
    }

    private FileNode status(String id) {
        return new TextFile(id + ".status", clock, c -> harness.statusText(id, c));
    }

    /**
     * The submitted document. Writing it again ({@code cat new.yaml > <id>.yaml}) sends a changed
     * plan: the harness accepts it from the submitter while the request still waits, validates it
     * again, and the approvals of the earlier plan no longer count.
     */
    private FileNode document(String id) {
        TextFile text = new TextFile(id + ".yaml", clock, c -> harness.get(id, c).path("document").asText(""));
        return new FileNode() {
            @Override
            public String name() {
                return text.name();
            }

            @Override
            public NodeAttributes attributes(Caller caller) throws AfsException {
                NodeAttributes a = text.attributes(caller);
                return new NodeAttributes(false, 0644, a.size(), a.modified(), 1);
            }

            @Override
            public OpenFile open(Caller caller) throws AfsException {
                return text.open(caller);
            }

            @Override
            public OpenFile openForWrite(Caller caller, boolean truncate) throws AfsException {
                return create(id + ".yaml", caller);
            }
        };
    }

    /** A document being written: buffered (capped), submitted on the first flush with data, if every write succeeded. */
    private final class Submission implements OpenFile {
        private final String id;
        private final Caller caller;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private boolean submitted;
        /** Why nothing will be submitted: a write failed. */
        private String failed;

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
            if (failed != null) {
                throw new AfsException(AfsError.INVALID_ARGUMENT, "/change_requests/" + id + ": an earlier write failed ("
                        + failed + "); nothing will be submitted, write the whole document again");
            }
            if (offset != buffer.size()) {
                failed = "written out of order";
                throw new AfsException(AfsError.INVALID_ARGUMENT, "/change_requests/" + id + ": write the document in one pass, "
                        + "from the start; nothing was submitted");
            }
            int n = src.remaining();
            if (buffer.size() + n > MAX_DOCUMENT_BYTES) {
                failed = "larger than " + MAX_DOCUMENT_BYTES + " bytes";
                throw new AfsException(AfsError.TOO_LARGE, "/change_requests/" + id + ": a change request may be at most "
                        + MAX_DOCUMENT_BYTES + " bytes; nothing was submitted. Cite evidence by path instead of pasting it");
            }
            byte[] bytes = new byte[n];
            src.get(bytes);
            buffer.write(bytes, 0, n);
            return n;
        }

        @Override
        public synchronized void flush(Caller closer) throws AfsException {
            if (failed == null && exits.killedBySignal(closer.pid())) {
                failed = "the writer was killed before it finished";
            }
            flush();
        }

        @Override
        public synchronized void flush() throws AfsException {
            if (failed != null) {
                submitted = true; // the document is incomplete: never submit any part of it
                pending.remove(id, this);
                throw new AfsException(AfsError.INVALID_ARGUMENT, "/change_requests/" + id + ": not submitted: " + failed);
            }
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
                if (failed == null) {
                    flush();
                }
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
