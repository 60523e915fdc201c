package dev.aegis.afs.cli;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.mcp.AfsMcpServer;
import dev.aegis.afs.mcp.ResultCap;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code afs mcp}: the tree for agents that speak the Model Context Protocol. */
@Command(name = "mcp", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Serves the tree over the Model Context Protocol (MCP) to agents.",
                "Tools: list, read (path terms), sh (afs sh pipelines), evidence_get,",
                "evidence_verify, plan_submit, plan_status, approve. Resources: the skills",
                "(afs:///context/skills), afs:///.afs/status and runbooks",
                "(afs:///teams/{team}/{env}/runbooks/{name}). Every read names its evidence",
                "path and sha256 and shows at most --max-lines lines, saying where the rest is.",
                "",
                "stdio (default): one client on stdin/stdout, as the invoking uid, with the",
                "access lists afs sh applies. Change requests are forwarded as the mount",
                "forwards them: the uid attested with the harness' client token (root only).",
                "",
                "--http: streamable HTTP at http://127.0.0.1:PORT/mcp. Each request needs",
                "Authorization: Bearer <token>, a token listed by its sha256 under tokens: in",
                "namespaces.yaml. A token is an agent: it reads where an access list names",
                "token:<name> or group:<one of its groups>, submits change requests (forwarded",
                "with its own bearer token), and never approves.",
                ""})
public final class McpCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--http", description = "serve streamable HTTP on 127.0.0.1 instead of stdio")
    boolean http;

    @Option(names = "--port", paramLabel = "N", defaultValue = "7781",
            description = "HTTP port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--max-lines", paramLabel = "N", defaultValue = "200",
            description = "at most N lines of a result go back to the model (default: ${DEFAULT-VALUE}); the rest stays in the evidence file")
    int maxLines;

    @Option(names = "--max-bytes", paramLabel = "N", defaultValue = "16384",
            description = "at most N bytes of a result (default: ${DEFAULT-VALUE})")
    int maxBytes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ResultCap cap;
        try {
            cap = new ResultCap(maxLines, maxBytes);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Afs afs = config.load()) {
            if (Caller.self().uid() == 0) {
                // as the mount does: captures are registered with the harness, so they can be cited
                afs.startDaemonDuties();
            }
            if (!http) {
                // stdout is the protocol channel from here on: everything else goes to stderr
                try (AfsMcpServer server = AfsMcpServer.stdio(afs, Caller.self(), cap,
                        new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out))) {
                    server.awaitTermination();
                }
                return ExitCodes.OK;
            }
            AfsMcpServer server;
            try {
                server = AfsMcpServer.http(afs, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), cap);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            } catch (IllegalStateException e) {
                throw new java.io.IOException(e.getMessage(), e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "afs-mcp-shutdown"));
            spec.commandLine().getOut().println("afs mcp listening on http://127.0.0.1:" + server.port() + "/mcp");
            spec.commandLine().getOut().flush();
            server.awaitTermination();
            return ExitCodes.OK;
        }
    }
}
