package dev.aegis.afs.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.Afs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP conformance suite (npm {@code @modelcontextprotocol/conformance}, installed
 * by bin/setup into .mcp-conformance/) against {@code afs mcp --http}. Scenarios that need the
 * suite's fixture tools, prompts or resources (which only a test server has), sampling or
 * elicitation are listed in conformance/not-applicable.yaml with the reason; the suite itself
 * fails the run if any other scenario fails, or if a listed one starts to pass. The output is
 * kept in target/conformance/ (the score in the README comes from it).
 */
class McpConformanceTest {

    private static final String TOKEN = "conformance-5d1e0c7b9a";

    @Test
    void officialSuitePassesAllApplicableScenarios(@TempDir Path work) throws Exception {
        Path module = Path.of("").toAbsolutePath();
        Path installed = module.getParent().resolve(".mcp-conformance");
        Path cli = installed.resolve("node_modules/.bin/conformance");
        assertTrue(Files.isExecutable(cli), cli + " is missing: run bin/setup, which installs the MCP conformance suite");

        Files.createDirectories(work.resolve("logs"));
        Files.writeString(work.resolve("logs/api.log"), "2026-11-21T10:00:00.000Z INFO request ok\n");
        Files.writeString(work.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                tokens:
                  conformance: {sha256: %s}
                backends:
                  local: {type: file, root: logs}
                teams:
                  payments:
                    prod:
                      access: {read: [token:conformance]}
                      logs:
                        api: {backend: local, path: api.log}
                """.formatted(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(TOKEN.getBytes(StandardCharsets.UTF_8)))));
        Path out = module.resolve("target/conformance");
        Files.createDirectories(out);
        try (Afs afs = Afs.load(work.resolve("namespaces.yaml"));
             AfsMcpServer server = AfsMcpServer.http(afs, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     ResultCap.DEFAULT)) {
            List<String> command = new ArrayList<>(List.of(cli.toString(), "server",
                    "--url", "http://127.0.0.1:" + server.port() + "/mcp", "--suite", "active",
                    "--expected-failures", module.resolve("conformance/not-applicable.yaml").toString(),
                    "-o", out.resolve("results").toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(out.resolve("output.txt").toFile());
            pb.environment().put("PATH", installed.resolve("node_modules/.bin") + ":" + System.getenv("PATH"));
            pb.environment().put("NODE_OPTIONS", "--import=" + module.resolve("conformance/bearer.mjs").toUri());
            pb.environment().put("AFS_MCP_TOKEN", TOKEN);
            pb.environment().put("AFS_MCP_CONFORMANCE_DIR", installed.toString());
            Process p = pb.start();
            boolean done = p.waitFor(10, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(out.resolve("output.txt"));
            assertTrue(done, "the conformance suite did not finish in 10 minutes:\n" + output);
            assertEquals(0, p.exitValue(), output);
        }
    }
}
