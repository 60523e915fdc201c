package dev.aegis.afs.evidence;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The capture keys a verifier trusts, several at once for rotation. {@link #problem} answers
 * why a signed record is not to be believed, in words a reader can act on.
 */
public record PinnedKeys(List<PinnedKey> keys) {

    public PinnedKeys {
        keys = List.copyOf(keys);
    }

    public static PinnedKeys of(PinnedKey... keys) {
        return new PinnedKeys(List.of(keys));
    }

    public Optional<PinnedKey> find(String keyId) {
        return keys.stream().filter(k -> k.keyId().equals(keyId)).findFirst();
    }

    /**
     * Why {@code capture} is not signed by a key pinned here and valid at {@code at}; empty when it is.
     *
     * @param at when the capture happened by a clock the verifier trusts (the harness: its receipt time)
     */
    public Optional<String> problem(SignedCapture capture, Instant at) {
        CaptureRecord r = capture.record();
        Optional<PinnedKey> key = find(r.keyId());
        if (key.isEmpty()) {
            return Optional.of("signed by capture key " + r.keyId() + ", which is not pinned "
                    + (keys.isEmpty() ? "(no capture keys are pinned)" : "(pinned: " + keys.stream().map(PinnedKey::keyId).toList() + ")")
                    + "; pin the mount's key in harness.yaml evidence.capture_keys (afs evidence key prints it)");
        }
        if (key.get().notAfter().isPresent() && at.isAfter(key.get().notAfter().get())) {
            return Optional.of("capture key " + r.keyId() + " was valid until " + key.get().notAfter().get()
                    + " but this capture is from " + at + "; read the source again on a mount with a current key");
        }
        if (!Keys.verify(key.get().raw(), r.canonical(), capture.signature())) {
            return Optional.of("the signature does not verify under capture key " + r.keyId()
                    + ": the record was forged or changed after it was signed");
        }
        return Optional.empty();
    }
}
