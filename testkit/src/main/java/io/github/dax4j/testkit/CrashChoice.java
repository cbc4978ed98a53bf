package io.github.dax4j.testkit;

import java.util.List;

/**
 * One crash, as a property-based test generates it: at which crash point, and how many pending atoms each dirty
 * unit (line, or non-temporal list of a line) loses from "everything persisted". Both shrink toward 0: the
 * earliest crash point, and the fully persisted image, so a failing property shrinks to the smallest crash.
 *
 * @param crashPoint the crash point (0 = before the first fence); past the last one, the last one
 * @param missing    per unit, cyclically, the atoms lost from the end (for subset units, the lowest bits cleared)
 */
public record CrashChoice(int crashPoint, List<Integer> missing) {

    public CrashChoice {
        if (crashPoint < 0 || missing.stream().anyMatch(m -> m < 0)) {
            throw new IllegalArgumentException("negative crash choice: " + crashPoint + ", " + missing);
        }
        missing = List.copyOf(missing);
    }
}
