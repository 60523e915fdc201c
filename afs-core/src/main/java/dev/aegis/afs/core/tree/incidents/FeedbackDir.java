package dev.aegis.afs.core.tree.incidents;

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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /incidents/<id>/feedback/<step>}: one file per step of the timeline the caller may see.
 * Reading one shows the feedback given on it; {@code echo useful|useless|dangerous > <step>}
 * records the writer's verdict in the harness, with the writer's uid (the harness names the
 * principal). The decision is made at the write, so a refusal (another word, an agent) reaches
 * even bash's builtin echo, with the reason in /.afs/errors; a step that does not exist is
 * refused when it is opened.
 */
final class FeedbackDir implements DirNode {

    private static final Set<String> VERDICTS = Set.of("useful", "useless", "dangerous");

    private final String incident;
    private final HarnessClient harness;
    private final Clock clock;

    FeedbackDir(String incident, HarnessClient harness, Clock clock) {
        this.incident = incident;
        this.harness = harness;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "feedback";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return new NodeAttributes(true, 0777, 0, clock.instant(), 2);
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        JsonNode timeline = harness.timeline(incident, caller);
        List<Node> out = new ArrayList<>();
        for (JsonNode e : timeline.path("entries")) {
            if (!e.path("kind").asText().equals("feedback")) {
                out.add(new Step(e.path("step").asText()));
            }
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        for (Node n : list(caller)) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw new AfsException(AfsError.NOT_FOUND, "/incidents/" + incident + "/feedback/" + name + ": incident " + incident
                + " has no step " + name + " you may see; ls /incidents/" + incident + "/feedback lists them");
    }

    @Override
    public OpenFile create(String name, Caller caller) throws AfsException {
        return ((Step) child(name, caller)).openForWrite(caller, true);
    }

    private final class Step implements FileNode {
        private final String step;

        Step(String step) {
            this.step = step;
        }

        @Override
        public String name() {
            return step;
        }

        @Override
        public NodeAttributes attributes(Caller caller) {
            return new NodeAttributes(false, 0666, 0, clock.instant(), 1);
        }

        /** The feedback given on this step so far, one line each. */
        @Override
        public OpenFile open(Caller caller) throws AfsException {
            StringBuilder s = new StringBuilder();
            for (JsonNode e : harness.timeline(incident, caller).path("entries")) {
                if (e.path("kind").asText().equals("feedback") && e.path("about").asText().equals(step)) {
                    s.append(e.path("at").asText()).append(' ').append(e.path("person").asText()).append(' ')
                            .append(e.path("who").asText()).append(' ').append(e.path("outcome").asText()).append('\n');
                }
            }
            byte[] bytes = s.toString().getBytes(StandardCharsets.UTF_8);
            return new OpenFile() {
                @Override
                public long size() {
                    return bytes.length;
                }

                @Override
                public boolean sizeKnownOnlyWhenOpen() {
                    return true;
                }

                @Override
                public int read(long offset, ByteBuffer dst) {
                    if (offset >= bytes.length) {
                        return -1;
                    }
                    int n = (int) Math.min(dst.remaining(), bytes.length - offset);
                    dst.put(bytes, (int) offset, n);
                    return n;
                }
            };
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
                    byte[] bytes = new byte[Math.min(n, 1024)];
                    src.get(bytes);
                    src.position(src.limit());
                    if (decided) {
                        return n; // one verdict per open
                    }
                    decided = true;
                    String text = new String(bytes, StandardCharsets.UTF_8).strip();
                    if (!VERDICTS.contains(text.toLowerCase(java.util.Locale.ROOT))) {
                        String shown = (text.length() > 40 ? text.substring(0, 40) + "..." : text).replaceAll("[^\\x20-\\x7e]", "?");
                        throw new AfsException(AfsError.INVALID_ARGUMENT, "/incidents/" + incident + "/feedback/" + step
                                + ": '" + shown + "' is not a verdict; write useful, useless or dangerous");
                    }
                    harness.feedback(incident, step, text, caller);
                    return n;
                }
            };
        }
    }
}
