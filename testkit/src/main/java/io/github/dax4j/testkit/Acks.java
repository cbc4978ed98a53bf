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

    List<Object> acknowledged() {
        return List.copyOf(acknowledged);
    }

    Optional<Object> inFlight() {
        return Optional.ofNullable(inFlight);
    }
}
