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
     * Verifies against the local checkpoint only (no witness).
     *
     * @param ledger       the ledger file
     * @param publicKeyHex the pinned ledger public key: given on the command line or in harness.yaml,
     *                     never read from beside the ledger (whoever can rewrite the ledger can
     *                     rewrite a key file next to it)
     */
    public static Result verify(Path ledger, String publicKeyHex) throws IOException {
        return verify(ledger, publicKeyHex, Optional.empty());
    }

    /**
     * @param witnessed the newest checkpoint the witness holds: the ledger must reach it and agree
     *                  with it, so truncating both the ledger and its local checkpoint on the
     *                  harness host is still found
     */
    public static Result verify(Path ledger, String publicKeyHex, Optional<LedgerCheckpoint> witnessed) throws IOException {
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
        String text;
        try {
            text = Files.readString(checkpoint, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            // never "intact" without one: an emptied ledger with its checkpoint deleted is the attack
            return Result.bad(n, Math.max(1, n), "the signed checkpoint " + checkpoint + " is missing, so truncation cannot be "
                    + "ruled out; restore it from backup, and compare with the witness (--witness)");
        }
        Optional<LedgerCheckpoint> local = LedgerCheckpoint.parse(text);
        if (local.isEmpty() || !local.get().verifies(publicKeyHex)) {
            return Result.bad(n, Math.max(1, n), "the checkpoint " + checkpoint + " is not signed by the pinned ledger key: "
                    + "it was edited, or the key given is not the harness's");
        }
        Optional<Result> bad = against(ledger, n, local.get(), "the signed checkpoint");
        if (bad.isPresent()) {
            return bad.get();
        }
        if (witnessed.isPresent()) {
            LedgerCheckpoint w = witnessed.get();
            if (!w.verifies(publicKeyHex)) {
                return Result.bad(n, Math.max(1, n), "the witnessed checkpoint is not signed by the pinned ledger key");
            }
            bad = against(ledger, n, w, "the witnessed checkpoint (" + w.at() + ")");
            if (bad.isPresent()) {
                return bad.get();
            }
        }
        return new Result(n, Optional.empty(), Optional.empty());
    }

    /** Whether a ledger of {@code n} entries reaches and agrees with {@code cp}. */
    private static Optional<Result> against(Path ledger, long n, LedgerCheckpoint cp, String what) throws IOException {
        if (n < cp.count()) {
            return Optional.of(Result.bad(n, n + 1, "the ledger ends after entry " + n + " but " + what + " counts "
                    + cp.count() + " entries: entries " + (n + 1) + ".." + cp.count() + " were removed (truncated)"));
        }
        if (cp.count() > 0 && !cp.head().equals(entryHash(ledger, cp.count()))) {
            return Optional.of(Result.bad(n, cp.count(), "entry " + cp.count() + " is not the head " + what
                    + " signed: the ledger was rewritten"));
        }
        return Optional.empty();
    }

    /** Whether {@code sig} (base64) is the ledger key's signature of the entry hash {@code hash} (hex). */
    public static boolean signed(String publicKeyHex, String hash, String sig) {
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
