package io.github.dax4j.internal.persist;

import io.github.dax4j.*;
import io.github.dax4j.DaxException;
import io.github.dax4j.device.DaxDevice;
import io.github.dax4j.device.PersistenceDomain;
import io.github.dax4j.device.SysfsFixture;
import io.github.dax4j.internal.cpu.FlushInstruction;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import static io.github.dax4j.device.PersistenceDomain.CPU_CACHE;
import static io.github.dax4j.device.PersistenceDomain.MEMORY_CONTROLLER;
import static io.github.dax4j.device.PersistenceDomain.NONE;
import static io.github.dax4j.device.PersistenceDomain.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cheapest correct mechanism, chosen per mapping, and what may be asked for instead. */
class MechanismSelectorTest {

    private static final Set<PersistMechanism> ALL_X86 = MechanismSelector.runnable(
            EnumSet.of(FlushInstruction.CLWB, FlushInstruction.CLFLUSHOPT, FlushInstruction.CLFLUSH));
    private static final Set<PersistMechanism> NO_CPU = MechanismSelector.runnable(Set.of());

    private static MechanismSelector.Situation situation(boolean deviceDax, boolean synchronous,
                                                         PersistenceDomain domain, Set<PersistMechanism> runnable) {
        return new MechanismSelector.Situation(deviceDax, synchronous, domain, runnable,
                runnable.contains(PersistMechanism.CLFLUSH) ? Optional.empty()
                        : Optional.of("executable memory refused (test)"), "/dev/dax0.0");
    }

    private static PersistMechanism auto(MechanismSelector.Situation s) throws Exception {
        return MechanismSelector.select(s, Optional.empty(), Optional.empty(), false).mechanism();
    }

    @Nested
    class Automatic {

        @Test
        void aFileWithoutMapSyncUsesMsync() throws Exception {
            assertEquals(PersistMechanism.MSYNC, auto(situation(false, false, MEMORY_CONTROLLER, ALL_X86)));
            assertEquals(PersistMechanism.MSYNC, auto(situation(false, false, CPU_CACHE, ALL_X86)), "eADR or not");
        }

        @Test
        void synchronousMemoryUsesTheBestCacheLineInstruction() throws Exception {
            assertEquals(PersistMechanism.CLWB, auto(situation(true, true, MEMORY_CONTROLLER, ALL_X86)));
            assertEquals(PersistMechanism.CLFLUSHOPT, auto(situation(false, true, MEMORY_CONTROLLER,
                    MechanismSelector.runnable(EnumSet.of(FlushInstruction.CLFLUSHOPT, FlushInstruction.CLFLUSH)))));
            assertEquals(PersistMechanism.CLFLUSH, auto(situation(true, true, MEMORY_CONTROLLER,
                    MechanismSelector.runnable(EnumSet.of(FlushInstruction.CLFLUSH)))));
            assertEquals(PersistMechanism.DC_CVAP, auto(situation(true, true, MEMORY_CONTROLLER,
                    MechanismSelector.runnable(EnumSet.of(FlushInstruction.DC_CVAP, FlushInstruction.DC_CVAC)))));
        }

        @Test
        void eadrNeedsOnlyAFence() throws Exception {
            assertEquals(PersistMechanism.FENCE_ONLY, auto(situation(true, true, CPU_CACHE, ALL_X86)));
            assertEquals(PersistMechanism.FENCE_ONLY, auto(situation(true, true, CPU_CACHE, NO_CPU)));
        }

        @Test
        void withoutCpuCodeAFileFallsBackToMsyncAndDeviceDaxIsRefused() throws Exception {
            assertEquals(PersistMechanism.MSYNC, auto(situation(false, true, MEMORY_CONTROLLER, NO_CPU)));
            DaxException e = assertThrows(DaxException.class, () -> auto(situation(true, true, MEMORY_CONTROLLER, NO_CPU)));
            assertTrue(e.getMessage().contains("executable memory refused"), e.getMessage());
            assertTrue(e.getMessage().contains("/dev/dax0.0"), e.getMessage());
        }
    }

    @Nested
    class Asked {

        @Test
        void theOptionsWinOverThePropertyWhichWinsOverTheRules() throws Exception {
            MechanismSelector.Situation s = situation(true, true, MEMORY_CONTROLLER, ALL_X86);
            assertEquals(PersistMechanism.CLFLUSH, MechanismSelector.select(s,
                    Optional.of(PersistMechanism.CLFLUSH), Optional.of(PersistMechanism.CLFLUSHOPT), false)
                    .mechanism());
            MechanismSelector.Selection byProperty = MechanismSelector.select(s, Optional.empty(),
                    Optional.of(PersistMechanism.CLFLUSHOPT), false);
            assertEquals(PersistMechanism.CLFLUSHOPT, byProperty.mechanism());
            assertTrue(byProperty.reason().contains("-Ddax4j.persist=clflushopt"), byProperty.reason());
        }

        @Test
        void msyncOnDeviceDaxIsRefused() {
            DaxException e = assertThrows(DaxException.class, () -> MechanismSelector.select(
                    situation(true, true, MEMORY_CONTROLLER, ALL_X86), Optional.of(PersistMechanism.MSYNC), Optional.empty(),
                    false));
            assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
        }

        @Test
        void anInstructionTheCpuLacksIsRefused() {
            DaxException e = assertThrows(DaxException.class, () -> MechanismSelector.select(
                    situation(true, true, MEMORY_CONTROLLER, NO_CPU), Optional.of(PersistMechanism.CLWB), Optional.empty(), false));
            assertTrue(e.getMessage().contains("MapOptions.persistMechanism(CLWB)"), e.getMessage());
        }

        @Test
        void everyMechanismThatWouldNotMakeStoresDurableIsRefusedUnlessThatIsAccepted() throws Exception {
            MechanismSelector.Situation pageCache = situation(false, false, MEMORY_CONTROLLER, ALL_X86);
            MechanismSelector.Situation deviceDax = situation(true, true, MEMORY_CONTROLLER, ALL_X86);
            for (var refused : java.util.List.of(java.util.Map.entry(pageCache, PersistMechanism.CLWB),
                    java.util.Map.entry(pageCache, PersistMechanism.NONE),
                    java.util.Map.entry(deviceDax, PersistMechanism.NONE),
                    java.util.Map.entry(pageCache, PersistMechanism.FENCE_ONLY))) {
                DaxException e = assertThrows(DaxException.class, () -> MechanismSelector.select(refused.getKey(),
                        Optional.of(refused.getValue()), Optional.empty(), false), refused.toString());
                assertTrue(e.getMessage().contains("would not be durable"), e.getMessage());
                MechanismSelector.Selection accepted = MechanismSelector.select(refused.getKey(),
                        Optional.of(refused.getValue()), Optional.empty(), true);
                assertEquals(refused.getValue(), accepted.mechanism());
                assertTrue(accepted.reason().contains("accepted as not durable"), accepted.reason());
            }
            MechanismSelector.Selection durable = MechanismSelector.select(deviceDax,
                    Optional.of(PersistMechanism.CLFLUSH), Optional.empty(), false);
            assertFalse(durable.reason().contains("not durable"), durable.reason());
        }

        @Test
        void fenceOnlyWithoutEadrIsRefusedUnlessNonDurableStoresAreAccepted() throws Exception {
            MechanismSelector.Situation adr = situation(true, true, MEMORY_CONTROLLER, ALL_X86);
            DaxException e = assertThrows(DaxException.class, () -> MechanismSelector.select(adr,
                    Optional.of(PersistMechanism.FENCE_ONLY), Optional.empty(), false));
            assertTrue(e.getMessage().contains("not be durable") && e.getMessage().contains("acceptNonDurableStores"),
                    e.getMessage());
            assertThrows(DaxException.class, () -> MechanismSelector.select(adr, Optional.empty(),
                    Optional.of(PersistMechanism.FENCE_ONLY), false), "by the property too");
            assertThrows(DaxException.class, () -> MechanismSelector.select(situation(false, false, CPU_CACHE, ALL_X86),
                    Optional.of(PersistMechanism.FENCE_ONLY), Optional.empty(), false), "page cache, eADR or not");

            MechanismSelector.Selection accepted = MechanismSelector.select(adr,
                    Optional.of(PersistMechanism.FENCE_ONLY), Optional.empty(), true);
            assertEquals(PersistMechanism.FENCE_ONLY, accepted.mechanism());
            assertTrue(accepted.reason().contains("not durable"), accepted.reason());

            MechanismSelector.Selection eadr = MechanismSelector.select(situation(true, true, CPU_CACHE, ALL_X86),
                    Optional.of(PersistMechanism.FENCE_ONLY), Optional.empty(), false);
            assertEquals(PersistMechanism.FENCE_ONLY, eadr.mechanism(), "with eADR it is the right choice");
            assertFalse(eadr.reason().contains("not durable"), eadr.reason());
        }
    }

    @Nested
    class VolatileMemory {

        @Test
        void volatileDeviceDaxGetsNoMechanismAndItsPersistCallsAreRefused() throws Exception {
            MechanismSelector.Selection s = MechanismSelector.select(situation(true, true, NONE, ALL_X86),
                    Optional.empty(), Optional.empty(), false);
            assertEquals(PersistMechanism.NONE, s.mechanism());
            assertTrue(s.refused(), s.reason());
            assertTrue(s.reason().contains("volatile"), s.reason());
        }

        @Test
        void acceptingNonDurableStoresMakesThemNoOps() throws Exception {
            MechanismSelector.Selection s = MechanismSelector.select(situation(true, true, NONE, ALL_X86),
                    Optional.empty(), Optional.empty(), true);
            assertEquals(PersistMechanism.NONE, s.mechanism());
            assertFalse(s.refused(), s.reason());
        }

        @Test
        void aCacheFlushAskedForOnVolatileMemoryIsRefusedUnlessAccepted() throws Exception {
            DaxException e = assertThrows(DaxException.class, () -> MechanismSelector.select(situation(true, true,
                    NONE, ALL_X86), Optional.of(PersistMechanism.CLWB), Optional.empty(), false));
            assertTrue(e.getMessage().contains("volatile"), e.getMessage());
            assertEquals(PersistMechanism.CLWB, MechanismSelector.select(situation(true, true, NONE, ALL_X86),
                    Optional.of(PersistMechanism.CLWB), Optional.empty(), true).mechanism());
        }

        @Test
        void theProcessWideDefaultDoesNotApplyToVolatileMemory() throws Exception {
            MechanismSelector.Selection s = MechanismSelector.select(situation(true, true, NONE, ALL_X86),
                    Optional.empty(), Optional.of(PersistMechanism.CLWB), false);
            assertEquals(PersistMechanism.NONE, s.mechanism(), "-Ddax4j.persist=clwb: mapped, persists refused");
            assertTrue(s.refused(), s.reason());
            assertEquals(PersistMechanism.NONE, MechanismSelector.select(situation(true, true, NONE, ALL_X86),
                    Optional.empty(), Optional.of(PersistMechanism.CLWB), true).mechanism());
        }

        @Test
        void aFileInRamIsAnEmulationAndKeepsItsMechanism() throws Exception {
            MechanismSelector.Selection s = MechanismSelector.select(situation(false, true, NONE, ALL_X86),
                    Optional.empty(), Optional.empty(), false);
            assertEquals(PersistMechanism.CLWB, s.mechanism(), "tmpfs with MAP_SYNC emulated: the real code runs");
            assertFalse(s.refused());
        }
    }

    @Nested
    class FromSysfs {

        @TempDir
        Path root;

        private static final String REGION1 = "sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region1";

        private PersistMechanism chosenFor(SysfsFixture sys, String name) throws Exception {
            DaxDevice device = sys.devices().find(name).orElseThrow();
            return auto(situation(true, true, device.persistenceDomain(), ALL_X86));
        }

        @Test
        void anAdrRegionMeansCacheFlushes() throws Exception {
            SysfsFixture sys = new SysfsFixture(root)
                    .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", 1L << 30, 2L << 20, 0, -1, null, true)
                    .nvdimmRegion(SysfsFixture.NFIT_REGION0, "memory_controller", true);
            assertEquals(PersistMechanism.CLWB, chosenFor(sys, "dax0.0"));
        }

        @Test
        void anEadrRegionMeansFenceOnly() throws Exception {
            SysfsFixture sys = new SysfsFixture(root)
                    .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", 1L << 30, 2L << 20, 0, -1, null, true)
                    .nvdimmRegion(SysfsFixture.NFIT_REGION0, "cpu_cache", false);
            assertEquals(PersistMechanism.FENCE_ONLY, chosenFor(sys, "dax0.0"));
        }

        @Test
        void eachInstanceFollowsItsOwnRegion() throws Exception {
            SysfsFixture sys = new SysfsFixture(root)
                    .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", 1L << 30, 2L << 20, 0, -1, null, true)
                    .nvdimmRegion(SysfsFixture.NFIT_REGION0, "cpu_cache", false)
                    .daxInstance(REGION1, "dax1.0", "252:1", 1L << 30, 2L << 20, 0, -1, null, true)
                    .nvdimmRegion(REGION1, "memory_controller", false);
            assertEquals(PersistMechanism.FENCE_ONLY, chosenFor(sys, "dax0.0"));
            assertEquals(PersistMechanism.CLWB, chosenFor(sys, "dax1.0"), "an ADR region beside an eADR one");
        }

        @Test
        void aRegionThatDoesNotSayIsFlushedAsAdr() throws Exception {
            SysfsFixture sys = new SysfsFixture(root)
                    .daxInstance(SysfsFixture.NFIT_REGION0, "dax0.0", "252:0", 1L << 30, 2L << 20, 0, -1, null, true)
                    .nvdimmRegion(SysfsFixture.NFIT_REGION0, "", false);
            assertEquals(UNKNOWN, sys.devices().find("dax0.0").orElseThrow().persistenceDomain());
            assertEquals(PersistMechanism.CLWB, chosenFor(sys, "dax0.0"));
        }

        @Test
        void anInstanceWithoutARegionIsVolatile() throws Exception {
            SysfsFixture sys = new SysfsFixture(root)
                    .daxInstance("sys/devices/platform/hmem.0", "dax0.0", "252:0", 1L << 30, 2L << 20, 0, 1, null,
                            true);
            assertEquals(NONE, sys.devices().find("dax0.0").orElseThrow().persistenceDomain());
            assertEquals(PersistMechanism.NONE, chosenFor(sys, "dax0.0"));
        }
    }
}
