package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.local.LineSink;

/**
 * The end of a local pipeline: writes each surviving line to the snapshot. A write failure
 * (snapshot too large, disk full) stops the pipeline and is rethrown by {@link #finish()}.
 */
final class LineWriter implements LineSink {

    private final SnapshotOutput out;
    private AfsException failure;

    LineWriter(SnapshotOutput out) {
        this.out = out;
    }

    @Override
    public boolean accept(LogLine line) {
        if (failure != null) {
            return false;
        }
        try {
            out.line(line.text());
            return true;
        } catch (AfsException e) {
            failure = e;
            return false;
        }
    }

    @Override
    public void end() {
    }

    /** Rethrows the first write failure, if any. */
    void finish() throws AfsException {
        if (failure != null) {
            throw failure;
        }
    }
}
