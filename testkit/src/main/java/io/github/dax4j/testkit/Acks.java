package io.github.dax4j.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a workload tells the simulator about its operations: which one is in flight, and which are acknowledged
 * (reported durable to their caller). The oracle is judged against these at every crash point.
 */
public final class Acks {

    private final List<Object> acknowledged = new ArrayList<>();
    private Object inFlight;
    private boolean checking = true;

    Acks() {
    }

    /** {@code operation} starts: a crash from now until it is acknowledged may or may not include it. */
    public void begin(Object operation) {
        inFlight = operation;
    }

    /** {@code operation} is durable: every crash from now on must include it. */
    public void acknowledge(Object operation) {
        acknowledged.add(operation);
        if (operation.equals(inFlight)) {
            inFlight = null;
        }
    }

    /**
     * Turns crash checking off ({@code false}) or back on: crash points in between are counted but no image is
     * checked. For set-up a test does not mean to examine, or to restrict checking to a window of the workload.
     */
    public void checkCrashes(boolean checking) {
        this.checking = checking;
    }

    boolean checking() {
        return checking;
    }

    List<Object> acknowledged() {
        return List.copyOf(acknowledged);
    }

    Optional<Object> inFlight() {
        return Optional.ofNullable(inFlight);
    }
}
