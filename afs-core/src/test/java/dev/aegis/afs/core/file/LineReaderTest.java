package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Line splitting, cutting of long lines, and the needle skip-search, on tiny buffers so every refill path runs. */
class LineReaderTest {

    @Test
    void skipSearchFindsExactlyTheLinesThatContainTheNeedle() throws Exception {
        Random random = new Random(3);
        for (int round = 0; round < 300; round++) {
            byte[] content = randomContent(random);
            int maxLine = 8 + random.nextInt(60);
            int buffer = 1 + random.nextInt(40);
            byte[] needle = random.nextBoolean() ? "ab".getBytes(StandardCharsets.UTF_8) : "b".getBytes(StandardCharsets.UTF_8);

            List<String> all = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            LineReader plain = new LineReader(new ByteArrayInputStream(content), 0, buffer, maxLine);
            while (plain.next()) {
                String line = new String(plain.bytes(), plain.start(), plain.end() - plain.start(), StandardCharsets.ISO_8859_1);
                all.add(line);
                if (line.contains(new String(needle, StandardCharsets.ISO_8859_1))) {
                    expected.add(plain.offset() + ":" + line);
                }
            }

            List<String> found = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            LineReader skipping = new LineReader(new ByteArrayInputStream(content), 0, buffer, maxLine);
            while (skipping.nextContaining(needle, (b, from, to) -> seen.addAll(lines(b, from, to)))) {
                String line = new String(skipping.bytes(), skipping.start(), skipping.end() - skipping.start(),
                        StandardCharsets.ISO_8859_1);
                found.add(skipping.offset() + ":" + line);
                seen.add(line);
            }
            assertEquals(expected, found, "round " + round);
            assertEquals(all, seen, "skipped and found lines cover the input, round " + round);
            assertEquals(plain.cutLines(), skipping.cutLines());
        }
    }

    @Test
    void byteSearchAgreesWithANaiveSearch() {
        Random random = new Random(5);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) "ab\n\u00ff".charAt(random.nextInt(4));
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length);
            byte c = (byte) "ab\n\u00ff".charAt(random.nextInt(4));
            int naive = -1;
            for (int i = from; i < b.length; i++) {
                if (b[i] == c) {
                    naive = i;
                    break;
                }
            }
            assertEquals(naive, ByteSearch.indexOf(b, from, b.length, c));
        }
    }

    private static List<String> lines(byte[] b, int from, int to) {
        String text = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        return List.of(text.split("\n", -1));
    }

    private static byte[] randomContent(Random random) {
        StringBuilder out = new StringBuilder();
        int lines = random.nextInt(30);
        for (int i = 0; i < lines; i++) {
            int len = random.nextInt(10) == 0 ? random.nextInt(200) : random.nextInt(20);
            for (int j = 0; j < len; j++) {
                out.append("abcxy".charAt(random.nextInt(5)));
            }
            if (i < lines - 1 || random.nextBoolean()) {
                out.append('\n');
            }
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
