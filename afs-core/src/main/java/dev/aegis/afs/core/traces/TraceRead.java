package dev.aegis.afs.core.traces;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.ReadStats;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One read of {@code traces/<service>/<traceId>.txt} (the span tree) or {@code .json} (Zipkin's
 * spans, pretty-printed one field a line so grep finds a tag on its line).
 */
final class TraceRead implements SnapshotProducer {

    enum Format { TREE, JSON }

    private final String path;
    private final String traceId;
    private final ZipkinBackend backend;
    private final Format format;

    TraceRead(String path, String traceId, ZipkinBackend backend, Format format) {
        this.path = Objects.requireNonNull(path, "path is null");
        this.traceId = Objects.requireNonNull(traceId, "traceId is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.format = Objects.requireNonNull(format, "format is null");
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        Optional<ZipkinClient.Answer> answer = backend.client().trace(traceId);
        if (answer.isEmpty()) {
            throw new AfsException(AfsError.NOT_FOUND, path + ": zipkin " + backend.name() + " has no trace " + traceId
                    + " (it may have aged out of storage); list the service's traces.log for current ids");
        }
        JsonNode spans;
        try {
            spans = ZipkinClient.JSON.readTree(answer.get().body());
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, path + ": zipkin " + backend.name() + " answered with no JSON");
        }
        if (format == Format.JSON) {
            try {
                for (String line : ZipkinClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(spans).split("\n")) {
                    out.line(line);
                }
            } catch (JsonProcessingException e) {
                throw new AfsException(AfsError.INTERNAL, path + ": cannot print the trace: " + e.getMessage());
            }
        } else {
            for (String line : SpanTree.lines(ZipkinClient.spans(spans))) {
                out.line(line);
            }
        }
        return new CaptureInfo(backend.label(), "GET /api/v2/trace/" + traceId, Optional.empty(),
                ReadStats.complete(answer.get().body().length, spans.size(), answer.get().took()),
                Map.of("spans", Integer.toString(spans.size())));
    }
}
