package dev.aegis.afs.core.traces;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.ReadStats;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One read of {@code traces/<service>/<traceId>.txt} (the span tree) or {@code .json} (the
 * backend's own JSON of the trace, pretty-printed one field a line so grep finds a tag on its line).
 */
final class TraceRead implements SnapshotProducer {

    enum Format { TREE, JSON }

    private final String path;
    private final String traceId;
    private final TraceBackend backend;
    private final Format format;

    TraceRead(String path, String traceId, TraceBackend backend, Format format) {
        this.path = Objects.requireNonNull(path, "path is null");
        this.traceId = Objects.requireNonNull(traceId, "traceId is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.format = Objects.requireNonNull(format, "format is null");
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        Optional<TraceBackend.Fetched<TraceBackend.TraceDocument>> answer = backend.trace(traceId);
        if (answer.isEmpty()) {
            throw new AfsException(AfsError.NOT_FOUND, path + ": " + backend.type() + " " + backend.name() + " has no trace "
                    + traceId + " (it may have aged out of storage); list the service's traces.log for current ids");
        }
        TraceBackend.TraceDocument trace = answer.get().value();
        if (format == Format.JSON) {
            try {
                for (String line : ZipkinClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(trace.json()).split("\n")) {
                    out.line(line);
                }
            } catch (JsonProcessingException e) {
                throw new AfsException(AfsError.INTERNAL, path + ": cannot print the trace: " + e.getMessage());
            }
        } else {
            for (String line : SpanTree.lines(trace.spans())) {
                out.line(line);
            }
        }
        return new CaptureInfo(backend.label(), answer.get().request(), Optional.empty(),
                ReadStats.complete(answer.get().bytes(), trace.spans().size(), answer.get().took()),
                Map.of("spans", Integer.toString(trace.spans().size())));
    }
}
