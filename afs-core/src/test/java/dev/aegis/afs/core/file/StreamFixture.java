package dev.aegis.afs.core.file;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.LocalEvaluator;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Test support: builds file backends from YAML, and an independent oracle for the stream's lines. */
final class StreamFixture {

    private StreamFixture() {
    }

    static Backend backend(Path configDir, String root) {
        String yaml = "type: file\nroot: '" + root + "'\n";
        return new FileBackendType().create("demo", ConfigReader.parse("namespaces.yaml", yaml),
                new BackendContext(configDir, Clock.systemUTC(), name -> null));
    }

    static FileLogSource stream(Backend backend, String streamYaml) {
        return (FileLogSource) backend.logStream("api", ConfigReader.parse("namespaces.yaml", streamYaml));
    }

    /** Collects lines; ignores anything after its first end() (LocalEvaluator may end twice). */
    static final class Collect implements LineSink {
        final List<LogLine> lines = new ArrayList<>();
        boolean ended;

        @Override
        public boolean accept(LogLine line) {
            if (ended) {
                return false;
            }
            lines.add(line);
            return true;
        }

        @Override
        public void end() {
            ended = true;
        }
    }

    record Result(List<LogLine> lines, ReadStats stats, Pushdown<ScanPlan> plan) {
    }

    /** Plans, fetches and applies the residual, as the core does. */
    static Result read(LogSource<ScanPlan> source, LogQuery query) throws AfsException {
        Pushdown<ScanPlan> plan = source.plan(query);
        Collect out = new Collect();
        LineSink residual = LocalEvaluator.pipeline(plan.residual(), out);
        ReadStats stats = source.fetch(plan, residual);
        residual.end();
        return new Result(out.lines, stats, plan);
    }

    /** The reference: the evaluator over every line of the stream. */
    static List<LogLine> expected(List<LogLine> stream, LogQuery query) {
        Collect out = new Collect();
        LineSink sink = LocalEvaluator.pipeline(query, out);
        for (LogLine line : stream) {
            if (!sink.accept(line)) {
                break;
            }
        }
        sink.end();
        return out.lines;
    }

    /** Reads files (gzip by name) and splits them into lines the simple way. */
    static List<LogLine> oracle(List<Path> files, boolean cri) throws IOException {
        List<LogLine> out = new ArrayList<>();
        Instant time = null;
        for (Path file : files) {
            byte[] bytes;
            try (InputStream in = file.toString().endsWith(".gz")
                    ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
                bytes = in.readAllBytes();
            }
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            List<String> raw = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!raw.isEmpty() && raw.get(raw.size() - 1).isEmpty()) {
                raw.remove(raw.size() - 1);
            }
            for (String latin : raw) {
                String line = new String(latin.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
                String served = line;
                boolean stampable = true;
                if (cri) {
                    String[] parts = line.split(" ", 4);
                    if (parts.length >= 3 && (parts[2].equals("P") || parts[2].equals("F"))
                            && (parts.length == 4 || line.endsWith(" " + parts[2]))) {
                        served = parts.length == 4 ? parts[3] : "";
                    } else {
                        stampable = false;
                    }
                }
                Instant own = stampable ? parseTime(line) : null;
                if (own != null) {
                    time = own;
                }
                out.add(new LogLine(time, served));
            }
        }
        return out;
    }

    private static Instant parseTime(String line) {
        int space = line.indexOf(' ');
        String prefix = space < 0 ? line : line.substring(0, space);
        try {
            return OffsetDateTime.parse(prefix, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String stamp(Instant t) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (file.toString().endsWith(".gz")) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (OutputStream gz = new GZIPOutputStream(buf)) {
                gz.write(bytes);
            }
            bytes = buf.toByteArray();
        }
        Files.write(file, bytes);
    }
}
