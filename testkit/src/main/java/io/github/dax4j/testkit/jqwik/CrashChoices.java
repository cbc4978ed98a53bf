package io.github.dax4j.testkit.jqwik;

import io.github.dax4j.testkit.CrashChoice;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik's side of the crash simulator: crashes as an {@link Arbitrary}, for {@code @Property} tests.
 *
 * <pre>{@code
 * @Property
 * void theLogSurvivesAnyCrash(@ForAll("crashes") CrashChoice crash, @ForAll List<byte[]> records) {
 *     CrashTest.onDevice(1 << 20).runOne(crash, workload(records), Log::recover, oracle(records)).assertNoFailure();
 * }
 *
 * @Provide Arbitrary<CrashChoice> crashes() { return CrashChoices.any(); }
 * }</pre>
 *
 * <p>Both parts shrink toward 0, so a failure shrinks to the earliest crash point and the image closest to
 * "everything persisted". The simulator core does not depend on jqwik; only this package does.
 */
public final class CrashChoices {

    private CrashChoices() {
    }

    /** {@return crashes at any of the first 64 crash points, losing up to 8 atoms per unit} */
    public static Arbitrary<CrashChoice> any() {
        return within(64, 8);
    }

    /** {@return crashes at crash points below {@code crashPoints}, losing up to {@code atoms} atoms per unit} */
    public static Arbitrary<CrashChoice> within(int crashPoints, int atoms) {
        return Combinators.combine(Arbitraries.integers().between(0, crashPoints - 1),
                        Arbitraries.integers().between(0, atoms).list().ofMaxSize(16))
                .as(CrashChoice::new);
    }
}
