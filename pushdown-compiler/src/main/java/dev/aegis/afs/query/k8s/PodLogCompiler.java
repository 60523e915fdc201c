package dev.aegis.afs.query.k8s;

import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.pushdown.Pushdown;
import dev.aegis.afs.query.pushdown.PushdownCompiler;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Compiles plans for one container's log into a pod log API call plus the residual.
 *
 * <p>What is pushed, and why it is exact:
 * <ul>
 *   <li>The start of the window becomes {@code sinceTime}, rounded down to the second (the API's
 *       precision). An absolute time, not {@code sinceSeconds}: the window is then the one the
 *       reader asked for on our clock, not on the kubelet's, and evidence records it. When the
 *       start has a fraction of a second, the residual keeps the window and the call asks for
 *       {@code timestamps=true} so each line's time is known and the extra lines are dropped.</li>
 *   <li>A {@code tail -n N} that comes first becomes {@code tailLines=N}, unless the window has an
 *       end (the API has none, so the end is applied locally, and the newest N before it cannot
 *       be asked for). Dropping lines before the start commutes with taking the newest N, since
 *       the kubelet returns lines in time order, so a rounded-down start does not stop it.</li>
 *   <li>Everything else stays local: grep (the API has no filter), head (no parameter; the read
 *       stops early instead), counts, and the end of the window.</li>
 * </ul>
 * {@code stampLines} is the reader's {@code timestamps=true}; the call also asks for timestamps
 * whenever the residual needs line times, and the reader strips them when not asked for.
 */
public final class PodLogCompiler implements PushdownCompiler<PodLogRequest> {

    private final PodLogTarget target;
    private final boolean stampLines;

    public PodLogCompiler(PodLogTarget target, boolean stampLines) {
        this.target = Objects.requireNonNull(target, "target is null");
        this.stampLines = stampLines;
    }

    @Override
    public Pushdown<PodLogRequest> compile(LogQuery plan) {
        Objects.requireNonNull(plan, "plan is null");
        TimeRange range = plan.range();
        Optional<Instant> since = range.start().map(t -> t.truncatedTo(ChronoUnit.SECONDS));
        boolean startIsExact = range.start().map(t -> t.getNano() == 0).orElse(true);
        TimeRange residualRange = startIsExact && range.end().isEmpty() ? TimeRange.ALL : range;

        List<Stage> stages = plan.stages();
        OptionalLong tail = OptionalLong.empty();
        int next = 0;
        if (!stages.isEmpty() && stages.get(0) instanceof LineLimit l && l.end() == LineLimit.End.NEWEST
                && l.count() > 0 && range.end().isEmpty()) {
            tail = OptionalLong.of(l.count());
            next = 1;
        }
        boolean timestamps = stampLines || !residualRange.isAll();
        PodLogRequest request = new PodLogRequest(target, since, tail, timestamps);
        return new Pushdown<>(request, new LogQuery(residualRange, stages.subList(next, stages.size())));
    }
}
