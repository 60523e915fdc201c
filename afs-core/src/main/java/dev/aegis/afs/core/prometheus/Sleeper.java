package dev.aegis.afs.core.prometheus;

import java.time.Duration;

/** Waits between retries; injected so tests neither wait nor depend on timing. */
@FunctionalInterface
public interface Sleeper {

    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
