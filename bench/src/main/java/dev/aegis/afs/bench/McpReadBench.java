package dev.aegis.afs.bench;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * MCP {@code read} of a 50-line query vs the same read through the mount: {@code afs mcp}
 * (stdio and HTTP, each a process of its own started with bin/afs, as an agent would) against
 * {@code cat} of {@code app.log?tail=50} on a mount served by another bin/afs process. Reads
 * are interleaved (mount, stdio, HTTP, mount, ...) so load changes hit all three alike; each
 * runs the query and records evidence ({@code cache_ttl: 0s}). Prints medians and p90.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.aegis.afs.bench.McpReadBench AFS CONFIG MOUNT PORT TOKEN RUNS</pre>
 */
public final class McpReadBench {

    private McpReadBench() {
    }

    public static void main(String[] args) throws Exception {
        String afs = args[0];
        String config = args[1];
        Path mount = Path.of(args[2]);
        int port = Integer.parseInt(args[3]);
        String token = args[4];
        int runs = Integer.parseInt(args[5]);
        String treePath = "/teams/bench/prod/logs/app.log?tail=50";
        Path mounted = Path.of(mount + treePath);

        Process http = new ProcessBuilder(afs, "mcp", "--http", "--port", Integer.toString(port), "--config", config)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitPort(port, http);
            ServerParameters stdioParams = ServerParameters.builder(afs).args("mcp", "--config", config).build();
            try (McpSyncClient stdio = McpClient.sync(new StdioClientTransport(stdioParams, McpJsonDefaults.getMapper()))
                         .requestTimeout(Duration.ofSeconds(60)).initializationTimeout(Duration.ofSeconds(60)).build();
                 McpSyncClient overHttp = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                         .endpoint("/mcp").requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                         .build()).requestTimeout(Duration.ofSeconds(60)).build()) {
                stdio.initialize();
                overHttp.initialize();
                String expected = new String(Files.readAllBytes(mounted));
                check(expected, read(stdio, treePath));
                check(expected, read(overHttp, treePath));
                RawHttp raw = RawHttp.open(port, token);
                raw.read(treePath);
                long[] m = new long[runs];
                long[] s = new long[runs];
                long[] h = new long[runs];
                long[] r = new long[runs];
                int warm = Math.max(20, runs / 5);
                for (int i = -warm; i < runs; i++) {
                    long t0 = System.nanoTime();
                    Files.readAllBytes(mounted);
                    long t1 = System.nanoTime();
                    read(stdio, treePath);
                    long t2 = System.nanoTime();
                    read(overHttp, treePath);
                    long t3 = System.nanoTime();
                    raw.read(treePath);
                    long t4 = System.nanoTime();
                    if (i >= 0) {
                        m[i] = t1 - t0;
                        s[i] = t2 - t1;
                        h[i] = t3 - t2;
                        r[i] = t4 - t3;
                    }
                }
                System.out.printf("runs=%d (after %d warm-up rounds)%n", runs, warm);
                System.out.printf("| read of app.log?tail=50 | median | p90 | median overhead vs mount |%n|---|---|---|---|%n");
                row("mount (cat)", m, m);
                row("afs mcp, stdio", s, m);
                row("afs mcp, streamable HTTP", h, m);
                row("afs mcp, streamable HTTP, plain JDK HttpClient (no SDK client)", r, m);
            }
        } finally {
            http.destroy();
            http.waitFor();
        }
    }

    /** The same tools/call as JSON-RPC POSTs from the JDK HttpClient: the server's share of the HTTP time. */
    private record RawHttp(java.net.http.HttpClient client, java.net.URI uri, String token, String session) {
        static RawHttp open(int port, String token) throws Exception {
            java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + port + "/mcp");
            RawHttp noSession = new RawHttp(c, uri, token, null);
            java.net.http.HttpResponse<String> init = noSession.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                    + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}");
            RawHttp raw = new RawHttp(c, uri, token, init.headers().firstValue("mcp-session-id").orElseThrow());
            raw.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            return raw;
        }

        java.net.http.HttpResponse<String> post(String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .header("MCP-Protocol-Version", "2025-06-18").POST(HttpRequest.BodyPublishers.ofString(body));
            if (session != null) {
                b.header("mcp-session-id", session);
            }
            return client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        }

        void read(String path) throws Exception {
            java.net.http.HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":"
                    + "{\"name\":\"read\",\"arguments\":{\"path\":\"" + path + "\"}}}");
            if (r.statusCode() != 200 || !r.body().contains("sha256")) {
                throw new IllegalStateException("raw read failed: " + r.statusCode() + " " + r.body());
            }
        }
    }

    private static String read(McpSyncClient mcp, String path) {
        CallToolResult r = mcp.callTool(new CallToolRequest("read", Map.of("path", path)));
        String text = ((TextContent) r.content().get(0)).text();
        if (Boolean.TRUE.equals(r.isError())) {
            throw new IllegalStateException("read failed: " + text);
        }
        return text;
    }

    /** The MCP result holds the same 50 lines as the mount read, after its evidence head. */
    private static void check(String mountText, String mcpText) {
        String body = mcpText.substring(mcpText.indexOf("---\n") + 4);
        if (!body.equals(mountText) || mountText.lines().count() != 50) {
            throw new IllegalStateException("the MCP read differs from the mount read:\n" + body + "\nvs\n" + mountText);
        }
    }

    private static void row(String name, long[] sample, long[] mount) {
        System.out.printf("| %s | %.2f ms | %.2f ms | %s |%n", name, pct(sample, 0.5), pct(sample, 0.9),
                sample == mount ? "" : String.format("%+.2f ms", pct(sample, 0.5) - pct(mount, 0.5)));
    }

    private static double pct(long[] ns, double p) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) (p * s.length))] / 1e6;
    }

    private static void awaitPort(int port, Process server) throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                if (!server.isAlive()) {
                    throw new IllegalStateException("afs mcp --http exited with " + server.exitValue());
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("afs mcp --http did not listen on " + port);
    }
}
