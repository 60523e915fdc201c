package dev.aegis.afs.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What this agent has done, on disk before it is done ({@code executions.jsonl}, each line
 * forced to disk): {@code started} before a write is sent (idempotency key, task, marker),
 * {@code result} once the signed result exists, {@code delivered} once the control plane took
 * it. After a restart, a key with {@code started} and no result was interrupted and is never
 * run again; a key with a result is a duplicate; results not delivered are sent again.
 */
public final class ExecutionJournal implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An execution begun but not finished: what to look for in the live object. */
    public record Started(String idempotencyKey, String task, String marker, JsonNode intentSummary) {
    }

    /** A signed result and whether the control plane has it. */
    public record Result(String task, Optional<String> idempotencyKey, String outcome, String jws) {
    }

    private final FileChannel out;
    private final Map<String, Started> started = new LinkedHashMap<>();
    private final Map<String, Result> byKey = new LinkedHashMap<>();
    private final Map<String, Result> undelivered = new LinkedHashMap<>();
    private final java.util.Set<String> answered = new java.util.HashSet<>();

    private ExecutionJournal(FileChannel out) {
        this.out = out;
    }

    public static ExecutionJournal open(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        ExecutionJournal j = new ExecutionJournal(FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode e;
            try {
                e = JSON.readTree(line);
            } catch (IOException torn) {
                continue; // a torn last line: its step did not happen
            }
            j.replay(e);
        }
        return j;
    }

    private void replay(JsonNode e) {
        switch (e.path("event").asText()) {
            case "started" -> started.put(e.path("key").asText(), new Started(e.path("key").asText(), e.path("task").asText(),
                    e.path("marker").asText(), e.path("intent")));
            case "result" -> {
                Optional<String> key = e.hasNonNull("key") ? Optional.of(e.get("key").asText()) : Optional.empty();
                Result r = new Result(e.path("task").asText(), key, e.path("outcome").asText(), e.path("jws").asText());
                key.ifPresent(k -> {
                    started.remove(k);
                    if (e.path("spent").asBoolean(true)) {
                        byKey.put(k, r);
                    }
                });
                undelivered.put(r.task(), r);
                answered.add(r.task());
            }
            case "delivered" -> undelivered.remove(e.path("task").asText());
            default -> {
            }
        }
    }

    /** Records that a write for {@code key} is about to be sent. Returns once it is on disk. */
    public synchronized void started(String key, String task, String marker, JsonNode intentSummary) throws IOException {
        ObjectNode e = JSON.createObjectNode().put("event", "started").put("key", key).put("task", task).put("marker", marker);
        e.set("intent", intentSummary);
        append(e);
    }

    /**
     * Records a signed result. {@code key} names an execution that was started; {@code spent}
     * false when the API server certainly changed nothing (a 409), so the key may run again.
     */
    public synchronized void result(String task, Optional<String> key, boolean spent, String outcome, String jws)
            throws IOException {
        ObjectNode e = JSON.createObjectNode().put("event", "result").put("task", task).put("outcome", outcome).put("jws", jws);
        key.ifPresent(k -> e.put("key", k).put("spent", spent));
        append(e);
    }

    public synchronized void delivered(String task) throws IOException {
        append(JSON.createObjectNode().put("event", "delivered").put("task", task));
    }

    /** The finished execution of {@code key}, if any. */
    public synchronized Optional<Result> finished(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** Executions begun and never finished (the agent stopped in between). */
    public synchronized List<Started> interrupted() {
        return List.copyOf(started.values());
    }

    public synchronized Optional<Started> interrupted(String key) {
        return Optional.ofNullable(started.get(key));
    }

    /** Whether this task already has a result (delivered or not): a re-leased task is not run again. */
    public synchronized boolean answered(String task) {
        return answered.contains(task);
    }

    public synchronized List<Result> undelivered() {
        return List.copyOf(undelivered.values());
    }

    private void append(JsonNode e) throws IOException {
        out.write(ByteBuffer.wrap((e.toString() + "\n").getBytes(StandardCharsets.UTF_8)));
        out.force(false);
        replay(e);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
