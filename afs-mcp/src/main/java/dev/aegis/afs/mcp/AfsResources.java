package dev.aegis.afs.mcp;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.OpenFile;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import io.modelcontextprotocol.spec.McpSchema.Resource;
import io.modelcontextprotocol.spec.McpSchema.ResourceTemplate;
import io.modelcontextprotocol.spec.McpSchema.TextResourceContents;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Resources: {@code afs:///.afs/status}, the skills ({@code afs:///context/skills}: the
 * {@code _index.json} summaries when the skills directory has one, otherwise the list of skill
 * files; and each skill file), and runbooks through the template
 * {@code afs:///teams/{team}/{env}/runbooks/{name}}, read with the same access lists as the
 * tools (a template, so no runbook name of another team is ever listed). Each content carries
 * its sha256 in {@code _meta}.
 */
final class AfsResources {

    static final String SCHEME = "afs://";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final int MAX_BYTES = 4 << 20;
    private static final int MAX_SKILL_FILES = 200;

    private final TreeGate gate;
    private final Function<McpTransportContext, McpPrincipal> principals;

    AfsResources(TreeGate gate, Function<McpTransportContext, McpPrincipal> principals) {
        this.gate = requireNonNull(gate, "gate is null");
        this.principals = requireNonNull(principals, "principals is null");
    }

    /** A resource and how it is read, before it is bound to a server kind. */
    private record Entry(Resource resource, Content content) {
    }

    /** The resources for a server with sessions (stdio); {@code server} lists the skill files. */
    List<McpServerFeatures.SyncResourceSpecification> forSessions(McpPrincipal server) {
        return entries(server).stream().map(e -> new McpServerFeatures.SyncResourceSpecification(e.resource(),
                (exchange, request) -> read(exchange.transportContext(), request.uri(), e.content()))).toList();
    }

    /** The same resources for the stateless HTTP server. */
    List<McpStatelessServerFeatures.SyncResourceSpecification> forStateless(McpPrincipal server) {
        return entries(server).stream().map(e -> new McpStatelessServerFeatures.SyncResourceSpecification(e.resource(),
                (context, request) -> read(context, request.uri(), e.content()))).toList();
    }

    List<McpServerFeatures.SyncResourceTemplateSpecification> templatesForSessions() {
        return List.of(new McpServerFeatures.SyncResourceTemplateSpecification(runbooks(), (exchange, request) ->
                read(exchange.transportContext(), request.uri(), this::file)));
    }

    List<McpStatelessServerFeatures.SyncResourceTemplateSpecification> templatesForStateless() {
        return List.of(new McpStatelessServerFeatures.SyncResourceTemplateSpecification(runbooks(), (context, request) ->
                read(context, request.uri(), this::file)));
    }

    private List<Entry> entries(McpPrincipal server) {
        List<Entry> out = new ArrayList<>();
        out.add(resource("/.afs/status", "status", "What this afs serves: config, evidence, backends and the envs you may read",
                (p, path) -> gate.status(p).getBytes(StandardCharsets.UTF_8)));
        out.add(resource("/context/skills", "skills", "The skills: their _index.json summaries, or the list of skill files",
                (p, path) -> skillsIndex(p)));
        for (String skill : skillFiles(server)) {
            out.add(resource(skill, skill.substring("/context/skills/".length()), "A skill: how to work with afs",
                    this::file));
        }
        return out;
    }

    private static ResourceTemplate runbooks() {
        return ResourceTemplate.builder().uriTemplate(SCHEME + "/teams/{team}/{env}/runbooks/{name}")
                .name("runbook").description("A runbook of a team/env you may read (list /teams/<team>/<env>/runbooks for names)")
                .mimeType("text/markdown").build();
    }

    private interface Content {
        byte[] read(McpPrincipal principal, String treePath) throws AfsException;
    }

    private static Entry resource(String treePath, String name, String description, Content content) {
        Resource r = Resource.builder().uri(SCHEME + treePath).name(name).description(description)
                .mimeType(treePath.endsWith(".json") || treePath.equals("/context/skills") ? "application/json"
                        : treePath.endsWith(".md") ? "text/markdown" : "text/plain").build();
        return new Entry(r, content);
    }

    private ReadResourceResult read(McpTransportContext context, String uri, Content content) {
        if (!uri.startsWith(SCHEME + "/")) {
            throw McpError.RESOURCE_NOT_FOUND.apply(uri);
        }
        String treePath = uri.substring(SCHEME.length());
        try {
            byte[] bytes = content.read(principals.apply(context), treePath);
            String sha = HexFormat.of().formatHex(BearerTokens.sha256Bytes(bytes));
            return new ReadResourceResult(List.of(new TextResourceContents(uri,
                    treePath.endsWith(".md") ? "text/markdown" : treePath.equals("/context/skills") ? "application/json" : "text/plain",
                    new String(bytes, StandardCharsets.UTF_8), Map.of("sha256", sha, "path", treePath))));
        } catch (AfsException e) {
            // -32002 is the spec's "resource not found"; the message says why (no such file, or not yours)
            throw McpError.builder(-32002).message(e.error().errno() + ": " + e.getMessage()).data(Map.of("uri", uri)).build();
        }
    }

    private byte[] file(McpPrincipal principal, String treePath) throws AfsException {
        Node node = gate.resolve(principal, treePath);
        if (!(node instanceof FileNode f)) {
            throw new AfsException(dev.aegis.afs.core.AfsError.IS_A_DIRECTORY, treePath + " is a directory");
        }
        try (OpenFile open = f.open(gate.caller(principal))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long offset = 0;
            int n;
            while ((n = open.read(offset, buf.clear())) > 0 && offset < MAX_BYTES) {
                out.write(buf.array(), 0, n);
                offset += n;
            }
            return out.toByteArray();
        }
    }

    /** _index.json as written by the skills' maintainers, or our own list when there is none. */
    private byte[] skillsIndex(McpPrincipal principal) throws AfsException {
        try {
            return file(principal, "/context/skills/_index.json");
        } catch (AfsException e) {
            if (e.error() != dev.aegis.afs.core.AfsError.NOT_FOUND) {
                throw e;
            }
        }
        com.fasterxml.jackson.databind.node.ObjectNode json = JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode skills = json.putArray("skills");
        for (String path : skillFiles(principal)) {
            skills.addObject().put("path", path).put("uri", SCHEME + path);
        }
        json.put("summaries", "none: the skills directory has no _index.json");
        return (json.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Skill files, two levels deep (skills/<name>/SKILL.md and files beside it). */
    private List<String> skillFiles(McpPrincipal principal) {
        List<String> out = new ArrayList<>();
        try {
            walk(principal, "/context/skills", 0, out);
        } catch (AfsException e) {
            // no skills directory configured or readable: no skill resources
        }
        return out;
    }

    private void walk(McpPrincipal principal, String dir, int depth, List<String> out) throws AfsException {
        for (Node n : gate.list(principal, dir)) {
            if (out.size() >= MAX_SKILL_FILES) {
                return; // a skills directory is a handful of files; a huge one is a misconfiguration
            }
            String path = dir + "/" + n.name();
            if (n instanceof DirNode && depth < 2) {
                walk(principal, path, depth + 1, out);
            } else if (n instanceof FileNode && !n.name().equals("_index.json") && !n.name().startsWith(".")) {
                out.add(path);
            }
        }
    }
}
