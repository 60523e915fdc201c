package dev.aegis.afs.mcp;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a read returns to the model, in the manner of mcp-grafana: a head that names the
 * evidence (path and sha256) and what was shown, then at most a {@link ResultCap} of lines.
 * When the result is longer, the cut is stated with the exact next step to page through the
 * evidence file, which holds the whole result.
 *
 * @param text       the text content
 * @param structured the same facts as a JSON object (structuredContent)
 */
record ReadResult(String text, Map<String, Object> structured) {

    ReadResult {
        requireNonNull(text, "text is null");
        structured = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(structured));
    }

    /** A window of an evidence snapshot, from line {@code fromLine} (1-based). */
    static ReadResult ofEvidence(EvidenceRecord r, long fromLine, ResultCap cap) throws AfsException {
        if (fromLine < 1) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "from_line starts at 1");
        }
        Window w;
        try (InputStream in = Files.newInputStream(r.file())) {
            w = Window.read(in, fromLine, cap);
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, r.treePath() + ": cannot read the snapshot: " + e.getMessage(), e);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("evidence", r.treePath());
        s.put("sha256", r.sha256());
        s.put("source", r.source());
        s.put("captured_at", r.capturedAt().toString());
        s.put("lines", r.lines());
        s.put("bytes", r.size());
        s.put("shown_from_line", fromLine);
        s.put("shown_lines", w.lines());
        s.put("cut", w.more());
        s.put("source_truncated", r.truncation().orElse("false"));
        StringBuilder t = new StringBuilder();
        t.append("evidence: ").append(r.treePath()).append('\n');
        t.append("sha256: ").append(r.sha256()).append('\n');
        t.append("source: ").append(r.source()).append('\n');
        t.append("captured_at: ").append(r.capturedAt()).append("  lines: ").append(r.lines())
                .append("  bytes: ").append(r.size()).append('\n');
        r.truncation().ifPresent(cut -> t.append("source truncated: ").append(cut).append('\n'));
        t.append("---\n").append(w.text());
        if (w.more()) {
            long next = fromLine + w.lines();
            t.append("[cut: shown lines ").append(fromLine).append('-').append(next - 1).append(" of ").append(r.lines())
                    .append("; the whole result is ").append(r.treePath()).append(" (sha256 ").append(r.sha256())
                    .append("). Next: evidence_get {\"path\": \"").append(r.treePath()).append("\", \"from_line\": ")
                    .append(next).append("}, or narrow the read with grep=, tail= or since=]\n");
        }
        return new ReadResult(t.toString(), s);
    }

    /** A file that is not a live read (runbook, skill, status): no evidence, its own sha256. */
    static ReadResult ofStatic(String treePath, byte[] content, ResultCap cap) throws AfsException {
        Window w;
        try {
            w = Window.read(new java.io.ByteArrayInputStream(content), 1, cap);
        } catch (IOException e) {
            throw new AfsException(AfsError.INTERNAL, treePath + ": " + e.getMessage(), e);
        }
        String sha = java.util.HexFormat.of().formatHex(BearerTokens.sha256Bytes(content));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("path", treePath);
        s.put("sha256", sha);
        s.put("evidence", null);
        s.put("bytes", (long) content.length);
        s.put("shown_lines", w.lines());
        s.put("cut", w.more());
        StringBuilder t = new StringBuilder();
        t.append("path: ").append(treePath).append('\n');
        t.append("sha256: ").append(sha).append('\n');
        t.append("evidence: none (a configured file, not a live read; cite its path and sha256)\n");
        t.append("---\n").append(w.text());
        if (w.more()) {
            t.append("[cut: shown ").append(w.lines()).append(" lines of ").append(content.length)
                    .append(" bytes; read the file at ").append(treePath).append(" on the mount for the rest]\n");
        }
        return new ReadResult(t.toString(), s);
    }

    /** Lines from a stream, within the cap. */
    private record Window(String text, long lines, boolean more) {
        static Window read(InputStream in, long fromLine, ResultCap cap) throws IOException {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            StringBuilder out = new StringBuilder();
            long n = 0;
            long line = 0;
            int bytes = 0;
            String s;
            while ((s = reader.readLine()) != null) {
                line++;
                if (line < fromLine) {
                    continue;
                }
                int size = s.getBytes(StandardCharsets.UTF_8).length + 1;
                if (n == 0 && size > cap.maxBytes()) {
                    // one line longer than the cap: show its start rather than nothing, and say so
                    out.append(s, 0, Math.min(s.length(), cap.maxBytes() / 2)).append(" [line cut]\n");
                    return new Window(out.toString(), 1, true);
                }
                if (n >= cap.maxLines() || bytes + size > cap.maxBytes()) {
                    return new Window(out.toString(), n, true);
                }
                out.append(s).append('\n');
                bytes += size;
                n++;
            }
            return new Window(out.toString(), n, false);
        }
    }
}
