package dev.aegis.afs.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.OpenFile;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The tools: the same tree and grammar as the mount and {@code afs sh}, so an agent that knows
 * one knows the other. Reads name their evidence and stay within the {@link ResultCap}; a
 * failure is a tool error whose text starts with the errno the mount would give and says how
 * to fix it.
 */
final class AfsTools {

    /** Largest configured (non-live) file returned: runbooks and skills are small. */
    private static final int MAX_STATIC_BYTES = 4 << 20;

    private final TreeGate gate;
    private final ChangeDesk changes;
    private final ResultCap cap;
    private final Function<McpTransportContext, McpPrincipal> principals;

    /** @param principals who calls, from the request's transport context (stdio: always the invoking uid) */
    AfsTools(TreeGate gate, ChangeDesk changes, ResultCap cap, Function<McpTransportContext, McpPrincipal> principals) {
        this.gate = requireNonNull(gate, "gate is null");
        this.changes = requireNonNull(changes, "changes is null");
        this.cap = requireNonNull(cap, "cap is null");
        this.principals = requireNonNull(principals, "principals is null");
    }

    /** A tool body: the caller, the arguments; returns the result or throws the reason. */
    private interface Body {
        CallToolResult run(McpPrincipal principal, Map<String, Object> args) throws AfsException;
    }

    /** A tool and what it runs, before it is bound to a server kind. */
    private record Entry(Tool tool, Body body) {
    }

    /** The tools for a server with sessions (stdio). */
    List<McpServerFeatures.SyncToolSpecification> forSessions() {
        return entries().stream().map(e -> McpServerFeatures.SyncToolSpecification.builder().tool(e.tool())
                .callHandler((exchange, request) -> call(exchange.transportContext(), request, e.body())).build()).toList();
    }

    /** The same tools for the stateless HTTP server: each call carries its bearer token's principal. */
    List<McpStatelessServerFeatures.SyncToolSpecification> forStateless() {
        return entries().stream().map(e -> McpStatelessServerFeatures.SyncToolSpecification.builder().tool(e.tool())
                .callHandler((context, request) -> call(context, request, e.body())).build()).toList();
    }

    private List<Entry> entries() {
        return List.of(
                tool("list", "List a directory of the tree (/, /teams, /teams/<team>/<env>/logs, /evidence/<day>, ...). "
                        + "Entries you may not read are not shown.", true,
                        schema(Map.of("path", prop("string", "tree path, e.g. /teams/payments/prod/logs")), "path"), this::list),
                tool("read", "Read a file. Live files take path terms, compiled into the backend's own query: "
                        + "/teams/payments/prod/logs/api.log?since=30m&grep-i=outofmemory&tail=50 (grep=, grep-v=, grep-i=, "
                        + "grep-F=, tail=, head=, since=, from=, to=). The read is recorded as evidence; the result names the "
                        + "evidence path and sha256 and shows at most " + cap.maxLines() + " lines, saying so when cut.", true,
                        schema(Map.of("path", prop("string", "tree path with optional path terms")), "path"), this::read),
                tool("sh", "Run a read pipeline in the afs sh grammar over a log, e.g. "
                        + "grep -i timeout /teams/payments/prod/logs/api.log | tail -n 20 (grep -i -v -F -E -w -x -c -e, "
                        + "tail -n, head -n, wc -l, cat). Output is what bash with GNU tools prints, recorded as evidence.", true,
                        schema(Map.of("pipeline", prop("string", "the pipeline")), "pipeline"), this::sh),
                tool("evidence_get", "Show an evidence snapshot: its record (source, backend query, captured_at, sha256, "
                        + "lines, truncation) and its lines from from_line, within the result cap.", true,
                        schema(Map.of("path", prop("string", "/evidence/<day>/<id>, as a read result names it"),
                                "from_line", prop("integer", "first line to show, 1-based (default 1)")), "path"), this::evidenceGet),
                tool("evidence_verify", "Re-hash an evidence snapshot and compare it with its recorded sha256.", true,
                        schema(Map.of("path", prop("string", "/evidence/<day>/<id>")), "path"), this::evidenceVerify),
                tool("plan_submit", "Submit a change request (the plan YAML of skills/write-a-change-request) to the "
                        + "harness, as you. Cite evidence by the path and sha256 a read returned. The harness checks "
                        + "evidence, policy, approvals and budgets; the result is the request's status with every reason.", false,
                        schema(Map.of("document", prop("string", "the change request, YAML or JSON"),
                                "id", prop("string", "the request id (letters, digits, . _ -); default: the harness chooses")),
                                "document"), this::submit),
                tool("plan_status", "The status of a change request: state, approvals, every gate's reason.", true,
                        schema(Map.of("id", prop("string", "the request id")), "id"), this::status),
                tool("approve", "Approve a change request as yourself. Only humans in the env's approvers may, never "
                        + "the submitter, never an agent (bearer tokens are agents).", false,
                        schema(Map.of("id", prop("string", "the request id")), "id"), this::approve));
    }

    private CallToolResult list(McpPrincipal p, Map<String, Object> args) throws AfsException {
        String path = TreeGate.treePath(string(args, "path"));
        List<Node> children = gate.list(p, path);
        StringBuilder t = new StringBuilder();
        List<Map<String, Object>> entries = new java.util.ArrayList<>();
        int shown = 0;
        for (Node n : children) {
            if (shown == cap.maxLines()) {
                t.append("[cut: ").append(children.size() - shown).append(" more entries; list a narrower directory]\n");
                break;
            }
            boolean dir = n instanceof DirNode;
            t.append(n.name()).append(dir ? "/" : "").append('\n');
            entries.add(Map.of("name", n.name(), "type", dir ? "dir" : "file"));
            shown++;
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("path", path);
        s.put("entries", entries);
        s.put("total", children.size());
        return ok(t.toString(), s);
    }

    private CallToolResult read(McpPrincipal p, Map<String, Object> args) throws AfsException {
        String path = TreeGate.treePath(string(args, "path"));
        Node node = gate.resolve(p, path);
        if (node instanceof DirNode) {
            throw new AfsException(AfsError.IS_A_DIRECTORY, path + " is a directory; list it with the list tool");
        }
        FileNode file = (FileNode) node;
        ReadResult r;
        if (file instanceof LiveFile live) {
            r = ReadResult.ofEvidence(capture(p, path, live), 1, cap);
        } else {
            r = ReadResult.ofStatic(path, content(p, path, file), cap);
        }
        return ok(r.text(), r.structured());
    }

    private EvidenceRecord capture(McpPrincipal p, String path, LiveFile live) throws AfsException {
        try {
            return live.capture(gate.caller(p));
        } catch (AfsException e) {
            gate.afs().errors().record(gate.caller(p), "mcp read", path, e);
            throw e;
        }
    }

    private byte[] content(McpPrincipal p, String path, FileNode file) throws AfsException {
        try (OpenFile open = file.open(gate.caller(p))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long offset = 0;
            int n;
            while ((n = open.read(offset, buf.clear())) > 0) {
                out.write(buf.array(), 0, n);
                offset += n;
                if (offset > MAX_STATIC_BYTES) {
                    throw new AfsException(AfsError.TOO_LARGE, path + " is larger than " + MAX_STATIC_BYTES
                            + " bytes; read it on the mount");
                }
            }
            return out.toByteArray();
        }
    }

    private CallToolResult sh(McpPrincipal p, Map<String, Object> args) throws AfsException {
        String pipeline = string(args, "pipeline");
        if (p instanceof McpPrincipal.Token) {
            // the gate needs the file the pipeline reads before the server reads it as itself
            gate.resolve(p, TreeGate.treePath(fileOf(pipeline)));
        }
        EvidenceRecord r = gate.afs().runShell(pipeline, gate.caller(p), java.io.OutputStream.nullOutputStream()).evidence();
        ReadResult result = ReadResult.ofEvidence(r, 1, cap);
        return ok(result.text(), result.structured());
    }

    private static String fileOf(String pipeline) throws AfsException {
        try {
            return dev.aegis.afs.query.shell.ShellQueryParser.parse(pipeline).path();
        } catch (dev.aegis.afs.query.QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, "sh: " + e.getMessage(), e);
        }
    }

    private CallToolResult evidenceGet(McpPrincipal p, Map<String, Object> args) throws AfsException {
        EvidenceRecord r = gate.evidence(p, string(args, "path"));
        long from = args.get("from_line") instanceof Number n ? n.longValue() : 1;
        ReadResult result = ReadResult.ofEvidence(r, from, cap);
        Map<String, Object> s = new LinkedHashMap<>(result.structured());
        s.put("backend", r.backend());
        s.put("query", r.query());
        StringBuilder t = new StringBuilder(result.text());
        t.insert(t.indexOf("---\n"), "backend: " + r.backend() + "\nquery: " + r.query() + "\n");
        return ok(t.toString(), s);
    }

    private CallToolResult evidenceVerify(McpPrincipal p, Map<String, Object> args) throws AfsException {
        EvidenceRecord r = gate.evidence(p, string(args, "path"));
        EvidenceStore.Verification v = gate.afs().evidence().verify(r);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("evidence", r.treePath());
        s.put("sha256", r.sha256());
        s.put("actual_sha256", v.actualSha256());
        s.put("ok", v.ok());
        v.problem().ifPresent(problem -> s.put("problem", problem));
        String text = (v.ok() ? "OK " : "FAILED ") + r.treePath() + "\nrecorded sha256: " + r.sha256()
                + "\nactual sha256:   " + v.actualSha256() + v.problem().map(x -> "\n" + x).orElse("") + "\n";
        return v.ok() ? ok(text, s) : CallToolResult.builder().addTextContent(text).structuredContent(s).isError(true).build();
    }

    private CallToolResult submit(McpPrincipal p, Map<String, Object> args) throws AfsException {
        Optional<String> id = args.get("id") instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
        HarnessClient.Reply reply = changes.submit(p, string(args, "document"), id);
        String text = changes.status(p, reply.id());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", reply.id());
        s.put("state", reply.state());
        return ok(text, s);
    }

    private CallToolResult status(McpPrincipal p, Map<String, Object> args) throws AfsException {
        String id = string(args, "id");
        return ok(changes.status(p, id), Map.of("id", id));
    }

    private CallToolResult approve(McpPrincipal p, Map<String, Object> args) throws AfsException {
        String id = string(args, "id");
        JsonNode r = changes.approve(p, id);
        return ok(id + ": approved by " + p.name() + "; state " + r.path("state").asText() + "\n",
                Map.of("id", id, "state", r.path("state").asText()));
    }

    private static Entry tool(String name, String description, boolean readOnly, Map<String, Object> schema, Body body) {
        Tool tool = Tool.builder().name(name).description(description).inputSchema(schema)
                .annotations(new ToolAnnotations(null, readOnly, false, readOnly, false, null)).build();
        return new Entry(tool, body);
    }

    private CallToolResult call(McpTransportContext context, CallToolRequest request, Body body) {
        try {
            return body.run(principals.apply(context), request.arguments() == null ? Map.of() : request.arguments());
        } catch (AfsException e) {
            return CallToolResult.builder().addTextContent(e.error().errno() + ": " + e.getMessage()).isError(true).build();
        } catch (RuntimeException e) {
            return CallToolResult.builder().addTextContent("EIO: afs mcp failed: " + e).isError(true).build();
        }
    }

    private static CallToolResult ok(String text, Map<String, Object> structured) {
        return CallToolResult.builder().addTextContent(text).structuredContent(structured).isError(false).build();
    }

    private static String string(Map<String, Object> args, String key) throws AfsException {
        if (!(args.get(key) instanceof String s) || s.isBlank()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the argument '" + key + "' is missing; give it as a string");
        }
        return s;
    }

    private static Map<String, Object> prop(String type, String description) {
        return Map.of("type", type, "description", description);
    }

    private static Map<String, Object> schema(Map<String, Object> properties, String... required) {
        return Map.of("type", "object", "properties", new java.util.TreeMap<>(properties), "required", List.of(required));
    }
}
