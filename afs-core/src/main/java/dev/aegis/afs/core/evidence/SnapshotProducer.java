package dev.aegis.afs.core.evidence;

import dev.aegis.afs.core.AfsException;

/** Runs a live read once, writing its result, and says what it ran. */
@FunctionalInterface
public interface SnapshotProducer {

    CaptureInfo produce(SnapshotOutput out) throws AfsException;
}
