package dev.aegis.afs.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/** Generated log files and a namespaces.yaml over them, in a temporary directory. */
final class TestLogs {

    static final String TEAM = "shop";
    static final String ENV = "prod";

    private TestLogs() {
    }

    /** 3000 lines of RFC 3339-stamped log with ERRORs, timeouts and a few UTF-8 characters. */
    static String apiLog() {
        Random random = new Random(42);
        String[] levels = {"INFO ", "DEBUG", "WARN ", "ERROR"};
        String[] messages = {"GET /healthz 200", "POST /v1/orders 201", "upstream timeout after 3000ms",
                "payment declined: card_expired", "Timeout waiting for db pool", "cache miss key=ü-42",
                "GET /v1/orders/17 404"};
        StringBuilder sb = new StringBuilder();
        Instant t = Instant.parse("2026-01-01T10:00:00.000Z");
        for (int i = 0; i < 3000; i++) {
            t = t.plusMillis(200 + random.nextInt(1800));
            sb.append(t).append(' ').append(levels[random.nextInt(levels.length)]).append(" api [req-")
                    .append(Integer.toHexString(random.nextInt(0x10000))).append("] ")
                    .append(messages[random.nextInt(messages.length)]).append(' ').append(random.nextInt(900))
                    .append("ms\n");
        }
        return sb.toString();
    }

    static String workerLog() {
        StringBuilder sb = new StringBuilder();
        Instant t = Instant.parse("2026-01-01T10:00:00.000Z");
        for (int i = 0; i < 50; i++) {
            sb.append(t.plusSeconds(i)).append(" INFO worker tick ").append(i).append('\n');
        }
        return sb.toString();
    }

    /** Writes the logs and namespaces.yaml under {@code dir}; returns the config file. */
    static Path write(Path dir) throws IOException {
        Path logs = Files.createDirectories(dir.resolve("data").resolve(TEAM));
        Files.writeString(logs.resolve("api.log"), apiLog());
        Files.writeString(logs.resolve("worker.log"), workerLog());
        Files.createDirectories(dir.resolve("skills"));
        Files.writeString(dir.resolve("skills").resolve("triage.md"), "# Triage\nStart with /.afs/status.\n");
        Path config = dir.resolve("namespaces.yaml");
        Files.writeString(config, """
                evidence:
                  dir: evidence
                  retention: 72h
                skills: skills
                backends:
                  local:
                    type: file
                    root: data
                    cache_ttl: 0s
                teams:
                  %s:
                    %s:
                      logs:
                        api: {backend: local, path: %s/api.log, window: none}
                        worker: {backend: local, path: %s/worker.log, window: none}
                """.formatted(TEAM, ENV, TEAM, TEAM));
        return config;
    }

    static Path apiFile(Path dir) {
        return dir.resolve("data").resolve(TEAM).resolve("api.log");
    }
}
