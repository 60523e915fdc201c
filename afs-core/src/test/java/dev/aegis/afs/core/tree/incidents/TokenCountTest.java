package dev.aegis.afs.core.tree.incidents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import org.junit.jupiter.api.Test;

class TokenCountTest {

    private static final String FILE = "/incidents/INC-7/tokens";

    @Test
    void whatEchoWritesIsOneCountAndSeveralLinesAddUp() throws AfsException {
        assertEquals(1500, TokenCount.parse(FILE, "1500\n"));
        assertEquals(1500, TokenCount.parse(FILE, " 1500 "));
        assertEquals(1_000_000_000L, TokenCount.parse(FILE, "1000000000"));
        assertEquals(1700, TokenCount.parse(FILE, "1500\n200\n"));
    }

    @Test
    void anythingButPositiveBoundedCountsIsRefusedNamingTheExpectedForm() {
        for (String bad : new String[] {"", "\n", "0", "-5", "1.5", "1e3", "1500 tokens", "abc", "1000000001",
                "99999999999999999999", "1500\nmore", "+3"}) {
            AfsException e = assertThrows(AfsException.class, () -> TokenCount.parse(FILE, bad), bad);
            assertEquals(AfsError.INVALID_ARGUMENT, e.error(), bad);
            assertTrue(e.getMessage().contains("write one whole number from 1 to 1000000000 per line, e.g. echo 1500 >> " + FILE),
                    e.getMessage());
        }
        AfsException sum = assertThrows(AfsException.class, () -> TokenCount.parse(FILE, "600000000\n600000000\n"));
        assertTrue(sum.getMessage().contains("add up to 1200000000 tokens"), sum.getMessage());
    }
}
