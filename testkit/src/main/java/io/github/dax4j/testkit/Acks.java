package io.github.dax4j.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * What a workload tells the simulator about its operations: which are in flight (begun, not yet acknowledged;
 * several at once for a group commit), and which are acknowledged (reported durable to their caller). The oracle
 * is judged against these at every crash point.
 *
 * <p>A workload written against {@code Acks} runs unchanged outside the simulator, on a real mapping, with
 * {@code new Acks()}: for a soak or kill -9 test of the same code, or a benchmark.
 */
public final class Acks {

    private final List<Object> acknowledged = new ArrayList<>();
    private final List<Object> inFlight = new ArrayList<>();
    private boolean checking = true;

    /** An empty record of operations, for running a workload outside the simulator. */
    public Acks() {
    }

    /**
     * {@code operation} starts: a crash from now until it is acknowledged may or may not include it. Operations
     * begun and not yet acknowledged are all in flight together, in the order they began.
     */
    public void begin(Object operation) {
        if (!inFlight.contains(operation)) {
            inFlight.add(operation);
        }
    }

    /** {@code operation} is durable: every crash from now on must include it. */
    public void acknowledge(Object operation) {
        acknowledged.add(operation);
        inFlight.remove(operation);
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

    /** {@return the operations begun and not yet acknowledged, in the order they began} */
    public List<Object> inFlight() {
        return List.copyOf(inFlight);
    }

    /** {@return the operations acknowledged so far, in order} */
    public List<Object> acknowledgedSoFar() {
        return List.copyOf(acknowledged);
    }
}
