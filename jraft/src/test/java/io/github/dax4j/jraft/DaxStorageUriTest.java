package io.github.dax4j.jraft;

import io.github.dax4j.MapOptions;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code dax4j:} storage URI: what it accepts, and that anything else is refused by name. */
class DaxStorageUriTest {

    @Test
    void aLogUriNamesTheDeviceTheRegionTheCapacityAndHowToMap() {
        DaxStorageUri uri = DaxStorageUri.parse("dax4j:/dev/shm/node1.img?region=n1.log&capacity=256M"
                + "&create=1G&emulateMapSync", true);
        assertEquals(new DaxStorageUri(Path.of("/dev/shm/node1.img"), "n1.log", 256L << 20,
                MapOptions.ofLength(1L << 30).createIfAbsent().emulateMapSync().exclusive()), uri);
        assertEquals(new DaxStorageUri(Path.of("/dev/dax0.0"), "n1.meta", 0, MapOptions.wholeSource().exclusive()),
                DaxStorageUri.parse("dax4j:/dev/dax0.0?region=n1.meta", false));
    }

    @Test
    void onlyTheDax4jSchemeIsNamed() {
        assertTrue(DaxStorageUri.names("dax4j:/dev/dax0.0?region=r"));
        assertFalse(DaxStorageUri.names("/tmp/raft/log"));
        assertFalse(DaxStorageUri.names(null));
    }

    @Test
    void eachMistakeIsRefusedWithWhatIsWrong() {
        String[][] cases = {
                {"dax4j:dev/dax0.0?region=r&capacity=1M", "must be an absolute path"},
                {"dax4j:/dev/dax0.0?capacity=1M", "no region"},
                {"dax4j:/dev/dax0.0?region=&capacity=1M", "no region"},
                {"dax4j:/dev/dax0.0?region=r", "needs capacity"},
                {"dax4j:/dev/dax0.0?region=r&capacity=0", "not a positive size"},
                {"dax4j:/dev/dax0.0?region=r&capacity=-1M", "not a positive size"},
                {"dax4j:/dev/dax0.0?region=r&capacity=9999999999G", "not a positive size"},
                {"dax4j:/dev/dax0.0?region=r&capacity=1T", "not a positive size"},
                {"dax4j:/dev/dax0.0?region=r&capacity=1M&region=s", "given twice"},
                {"dax4j:/dev/dax0.0?region=r&capacity=1M&sync=no", "unknown parameter 'sync'"},
                {"dax4j:/dev/dax0.0?region=r&capacity=1M&emulateMapSync=false", "takes no value"},
                {"dax4j:/dev/dax0.0?region=r&capacity=1M&", "unknown parameter ''"},
                {"/dev/dax0.0", "not a dax4j storage URI"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DaxStorageUri.parse(c[0], true), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
        }
        IllegalArgumentException meta = assertThrows(IllegalArgumentException.class,
                () -> DaxStorageUri.parse("dax4j:/dev/dax0.0?region=r&capacity=1M", false));
        assertTrue(meta.getMessage().contains("unknown parameter 'capacity'"), meta.getMessage());
    }

    /** Any parameters, in any order, read back as given; sizes in any unit read as their bytes. */
    @Property(tries = 300)
    void parametersReadBackAsGiven(@ForAll("regions") String region, @ForAll("sizes") long capacity,
                                   @ForAll("units") String unit, @ForAll boolean create, @ForAll boolean emulate,
                                   @ForAll long seed) {
        long scale = switch (unit) {
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            default -> 1;
        };
        List<String> parameters = new ArrayList<>(List.of("region=" + region, "capacity=" + capacity + unit));
        if (create) {
            parameters.add("create=" + capacity + unit);
        }
        if (emulate) {
            parameters.add("emulateMapSync");
        }
        java.util.Collections.shuffle(parameters, new java.util.Random(seed));
        DaxStorageUri uri = DaxStorageUri.parse("dax4j:/d/e?" + String.join("&", parameters), true);
        MapOptions options = (create ? MapOptions.ofLength(capacity * scale).createIfAbsent() : MapOptions
                .wholeSource()).exclusive();
        assertEquals(new DaxStorageUri(Path.of("/d/e"), region, capacity * scale, emulate ? options
                .emulateMapSync() : options), uri);
    }

    /** Whatever follows the scheme, parsing gives a URI or an IllegalArgumentException, never another failure. */
    @Property(tries = 1000)
    void anyTextIsAUriOrARefusal(@ForAll("texts") String text, @ForAll boolean log) {
        try {
            DaxStorageUri uri = DaxStorageUri.parse("dax4j:" + text, log);
            assertFalse(uri.region().isEmpty());
            assertTrue(log ? uri.capacity() > 0 : uri.capacity() == 0);
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage().startsWith("dax4j:"), refused.getMessage());
        }
    }

    @Provide
    Arbitrary<String> regions() {
        return Arbitraries.strings().withChars("abcxyz.-_0123456789").ofMinLength(1).ofMaxLength(20);
    }

    @Provide
    Arbitrary<Long> sizes() {
        return Arbitraries.longs().between(1, 1L << 20);
    }

    @Provide
    Arbitrary<String> units() {
        return Arbitraries.of("", "K", "M", "G");
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> pieces = Arbitraries.of("/", "/dev/dax0.0", "?", "&", "=", "region", "capacity", "create",
                "emulateMapSync", "1", "0", "-3", "\u0000", "9223372036854775807", "M", "G", "k", "x", "", "\u00e9", "%20");
        return pieces.list().ofMaxSize(12).map(l -> String.join("", l));
    }
}
