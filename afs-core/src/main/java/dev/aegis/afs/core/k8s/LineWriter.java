package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.local.LineSink;

/**
 * The end of a local pipeline that starts with a {@link dev.aegis.afs.core.redact.RedactingSink}
 * (see {@link #pipeline}): writes each surviving, already redacted line to the snapshot. A write failure
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
            out.servedLine(line.text()); // the pipeline starts with a RedactingSink
            return true;
        } catch (AfsException e) {
            failure = e;
            return false;
        }
    }

    @Override
    public void end() {
    }

    /** Redact, then {@code plan}, then this writer: filters see the lines as served. */
    LineSink pipeline(dev.aegis.afs.query.LogQuery plan) {
        return new dev.aegis.afs.core.redact.RedactingSink(out.redactor(),
                dev.aegis.afs.query.local.LocalEvaluator.pipeline(plan, this));
    }

    /** Rethrows the first write failure, if any. */
    void finish() throws AfsException {
        if (failure != null) {
            throw failure;
        }
    }
}
