package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time searches agree with a plain loop at every offset, hit position and length. */
class ByteSearchTest {

    @Test
    void byteSearchFindsTheFirstHitWhereverItIs() {
        Random random = new Random(20261202);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(200)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 'a' + random.nextInt(3)); // 0x80.. and 0x00 too
            }
            byte c = (byte) (random.nextBoolean() ? 'K' : random.nextInt(256));
            if (b.length > 0 && random.nextBoolean()) {
                b[random.nextInt(b.length)] = c;
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length);
            int to = from + random.nextInt(b.length - from + 1);
            assertEquals(naive(b, from, to, c), ByteSearch.indexOf(b, from, to, c), "round " + round);
        }
    }

    @Test
    void needleSearchAgreesWithStringIndexOf() {
        Random random = new Random(7);
        for (int round = 0; round < 5_000; round++) {
            StringBuilder text = new StringBuilder();
            while (text.length() < 300) {
                text.append(random.nextInt(5) == 0 ? "OOMKilled " : "INFO ok K ");
            }
            byte[] b = text.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            int from = random.nextInt(b.length);
            String s = text.toString();
            int expected = s.substring(0, b.length).indexOf("OOMKilled", from);
            expected = expected + "OOMKilled".length() <= b.length ? expected : -1;
            assertEquals(expected, ByteSearch.indexOf(b, from, b.length, "OOMKilled".getBytes()));
        }
    }

    private static int naive(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
