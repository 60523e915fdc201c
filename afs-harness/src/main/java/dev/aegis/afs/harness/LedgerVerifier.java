package dev.aegis.afs.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks a ledger file: every entry's hash, signature, sequence number and link to the
 * previous entry, then the signed checkpoint (count and head), so a changed, deleted,
 * reordered or truncated entry is found and the first bad one named.
 */
public final class LedgerVerifier {

    /** The outcome: {@code firstBad} is the 1-based entry (line) where the problem starts. */
    public record Result(long entries, Optional<Long> firstBad, Optional<String> problem) {
        public boolean ok() {
            return problem.isEmpty();
        }

        static Result bad(long entries, long at, String problem) {
            return new Result(entries, Optional.of(at), Optional.of(problem));
        }
    }

    private LedgerVerifier() {
    }

    /**
     * @param ledger       the ledger file
     * @param publicKeyHex the harness's Ed25519 public key (the {@code signing.key.pub} file)
     */
    public static Result verify(Path ledger, String publicKeyHex) throws IOException {
        String prev = Ledger.GENESIS;
        long n = 0;
        try (BufferedReader r = Files.newBufferedReader(ledger, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                JsonNode entry;
                try {
                    entry = Ledger.JSON.readTree(line);
                } catch (IOException e) {
                    return Result.bad(n, n, "entry " + n + " is not valid JSON: the file was edited");
                }
                if (entry == null || !entry.isObject()) {
                    return Result.bad(n, n, "entry " + n + " is not a JSON object: the file was edited");
                }
                long seq = entry.path("seq").asLong(-1);
                String hash = entry.path("hash").asText("");
                if (!Ledger.hash(entry).equals(hash)) {
                    return Result.bad(n, n, "entry " + n + " was changed: its content does not match its hash");
                }
                if (!signed(publicKeyHex, hash, entry.path("sig").asText(""))) {
                    return Result.bad(n, n, "entry " + n + " has no valid signature of the harness key: it was "
                            + "forged or re-hashed after a change");
                }
                if (seq != n) {
                    return Result.bad(n, n, "entry " + n + " carries seq " + seq + ": entries were deleted or reordered "
                            + (seq > n ? "(entry " + n + " is missing)" : "(entry " + seq + " appears again)"));
                }
                if (!entry.path("prev").asText("").equals(prev)) {
                    return Result.bad(n, n, "entry " + n + " does not follow entry " + (n - 1)
                            + " (prev hash differs): entries were deleted or reordered");
                }
                prev = hash;
            }
        }
        Path checkpoint = Ledger.checkpointPath(ledger);
        JsonNode cp;
        try {
            cp = Ledger.JSON.readTree(Files.readString(checkpoint, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            if (n == 0) {
                return new Result(0, Optional.empty(), Optional.empty());
            }
            return Result.bad(n, n, "the signed checkpoint " + checkpoint + " is missing, so truncation cannot be ruled "
                    + "out; restore it from backup");
        }
        long count = cp.path("count").asLong(-1);
        String head = cp.path("head").asText("");
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(cp.path("sig").asText(""));
        } catch (IllegalArgumentException e) {
            sig = new byte[0];
        }
        if (!SigningKey.verify(publicKeyHex, Ledger.checkpointMessage(count, head), sig)) {
            return Result.bad(n, Math.max(1, n), "the checkpoint " + checkpoint + " is not signed by the harness key: it was edited");
        }
        if (n < count) {
            return Result.bad(n, n + 1, "the ledger ends after entry " + n + " but the signed checkpoint counts " + count
                    + " entries: entries " + (n + 1) + ".." + count + " were removed (truncated)");
        }
        String at = entryHash(ledger, count);
        if (count > 0 && !head.equals(at)) {
            return Result.bad(n, count, "entry " + count + " is not the head the checkpoint signed: the ledger was rewritten");
        }
        return new Result(n, Optional.empty(), Optional.empty());
    }

    private static boolean signed(String publicKeyHex, String hash, String sig) {
        try {
            return SigningKey.verify(publicKeyHex, HexFormat.of().parseHex(hash), Base64.getDecoder().decode(sig));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String entryHash(Path ledger, long seq) throws IOException {
        if (seq <= 0) {
            return "";
        }
        try (BufferedReader r = Files.newBufferedReader(ledger, StandardCharsets.UTF_8)) {
            long n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                if (++n == seq) {
                    return Ledger.JSON.readTree(line).path("hash").asText("");
                }
            }
        }
        return "";
    }
}
