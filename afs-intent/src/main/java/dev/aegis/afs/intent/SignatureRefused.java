package dev.aegis.afs.intent;

/** A poll token or result that the control plane must not accept, and why. */
public final class SignatureRefused extends Exception {
    public SignatureRefused(String message) {
        super(message);
    }
}
