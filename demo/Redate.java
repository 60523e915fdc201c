import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.time.*;
import java.time.format.DateTimeFormatter;
import java.util.*;
import java.util.regex.*;
import java.util.zip.*;

/**
 * Copies the bundled demo logs to a live directory with every timestamp shifted so that the
 * newest line is "now": the demo then works with since=15m and friends on any day.
 * Usage: java demo/Redate.java demo/data demo/live
 */
public class Redate {
    private static final Pattern STAMP = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})(\\.(\\d+))?Z");

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java demo/Redate.java SOURCE_DIR TARGET_DIR");
            System.exit(2);
        }
        Path from = Path.of(args[0]), to = Path.of(args[1]);
        List<Path> files = new ArrayList<>();
        try (var walk = Files.walk(from)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        Instant newest = Instant.EPOCH;
        for (Path f : files) {
            for (String line : read(f)) {
                Instant t = stamp(line);
                if (t != null && t.isAfter(newest)) newest = t;
            }
        }
        Duration shift = Duration.between(newest, Instant.now()).withNanos(0);
        for (Path f : files) {
            Path target = to.resolve(from.relativize(f).toString());
            Files.createDirectories(target.getParent());
            List<String> out = new ArrayList<>();
            Instant last = null;
            for (String line : read(f)) {
                String shifted = shift(line, shift);
                out.add(shifted);
                Instant t = stamp(shifted);
                if (t != null) last = t;
            }
            write(target, out);
            // a log file's mtime is when its last line was written, as on a real host
            if (last != null) Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(last));
        }
        System.out.println("demo logs re-dated into " + to + " (shifted by " + shift.toHours() + "h)");
    }

    private static Instant stamp(String line) {
        Matcher m = STAMP.matcher(line);
        if (!m.find()) return null;
        return Instant.parse(m.group(1) + (m.group(2) == null ? "" : m.group(2)) + "Z");
    }

    private static String shift(String line, Duration shift) {
        Matcher m = STAMP.matcher(line);
        if (!m.find()) return line;
        Instant t = Instant.parse(m.group(1) + (m.group(2) == null ? "" : m.group(2)) + "Z").plus(shift);
        String frac = m.group(3);
        String base = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC).format(t);
        String nanos = String.format("%09d", t.getNano());
        String out = base + (frac == null ? "" : "." + (frac.length() <= 9 ? nanos.substring(0, frac.length()) : frac)) + "Z";
        return out + line.substring(m.end());
    }

    private static List<String> read(Path f) throws IOException {
        InputStream in = Files.newInputStream(f);
        if (f.toString().endsWith(".gz")) in = new GZIPInputStream(in);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().toList();
        }
    }

    private static void write(Path f, List<String> lines) throws IOException {
        OutputStream out = Files.newOutputStream(f);
        if (f.toString().endsWith(".gz")) out = new GZIPOutputStream(out);
        try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            for (String l : lines) w.write(l + "\n");
        }
    }
}
