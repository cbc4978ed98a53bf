package io.github.dax4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.dax4j.DaxMapping;
import io.github.dax4j.MapOptions;
import io.github.dax4j.engines.kv.KeyValueTable;
import io.github.dax4j.engines.wal.WriteAheadLog;
import io.github.dax4j.layout.Directory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dax4j command line, run as a shell user runs it: exit codes, stdout, stderr, JSON read back. */
class Dax4jCommandTest {

    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Dax4jCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path dir;

    @BeforeEach
    void directory() throws Exception {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "dax4j-cli-");
    }

    @AfterEach
    void clean() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Test
    void listPrintsJsonShapedLikeDaxctl(@TempDir Path root) throws Exception {
        String device = "sys/devices/platform/hmem.0/dax1.0/dax1.0";
        for (String[] attr : List.of(new String[] {"size", "4294967296"}, new String[] {"align", "2097152"},
                new String[] {"numa_node", "0"}, new String[] {"target_node", "2"})) {
            Files.createDirectories(root.resolve(device));
            Files.writeString(root.resolve(device).resolve(attr[0]), attr[1] + "\n");
        }
        Files.createDirectories(root.resolve("sys/bus/dax/drivers/device_dax"));
        Files.createSymbolicLink(root.resolve(device).resolve("driver"),
                Path.of("../../../../../bus/dax/drivers/device_dax"));
        Files.createDirectories(root.resolve("sys/bus/dax/devices"));
        Files.createSymbolicLink(root.resolve("sys/bus/dax/devices/dax1.0"),
                Path.of("../../../devices/platform/hmem.0/dax1.0/dax1.0"));

        Run json = run("list", "--sysfs-root", root.toString());
        assertEquals(0, json.exit(), json.err());
        JsonNode devices = new ObjectMapper().readTree(json.out());
        assertEquals(1, devices.size(), json.out());
        JsonNode dax = devices.get(0);
        assertEquals("dax1.0", dax.get("chardev").asText());
        assertEquals(root.resolve("dev/dax1.0").toString(), dax.get("path").asText());
        assertEquals(4294967296L, dax.get("size").asLong());
        assertEquals(2097152, dax.get("align").asLong());
        assertEquals("devdax", dax.get("mode").asText());
        assertEquals(0, dax.get("numa_node").asInt());
        assertEquals(2, dax.get("target_node").asInt());
        assertFalse(dax.get("nvdimm").asBoolean());
        assertNull(dax.get("state"), "bound to device_dax: enabled");
        assertEquals(List.of("chardev", "size", "target_node", "align", "mode"), names(dax).subList(0, 5),
                "daxctl's keys first, in its order");

        JsonNode human = new ObjectMapper().readTree(run("list", "-u", "--sysfs-root", root.toString()).out());
        assertTrue(human.isObject(), "one instance with -u: a bare object, as daxctl prints it");
        assertEquals("4.00 GiB (4.29 GB)", human.get("size").asText(), "as daxctl -u");
        assertEquals(2097152, human.get("align").asLong(), "below 5000 KiB daxctl -u keeps a number");
        assertEquals("[]\n", run("list", "-d", "dax9.9", "--sysfs-root", root.toString()).out());
        for (String dev : List.of("dax1.0", "1.0", "all")) {
            assertEquals(1, new ObjectMapper().readTree(run("list", "--dev", dev, "--sysfs-root", root.toString())
                    .out()).size(), "-d " + dev);
        }
        assertEquals("[]\n", run("list", "-r", "0", "--sysfs-root", root.toString()).out(), "dax1.0 is in region 1");
        assertEquals(1, new ObjectMapper().readTree(run("list", "-r", "region1", "--sysfs-root", root.toString())
                .out()).size());
        assertEquals("[]\n", run("list", "--sysfs-root", dir.toString()).out(), "none: an empty list, not nothing");

        Files.delete(root.resolve(device).resolve("driver")); // unbound, as `daxctl disable-device` leaves it
        assertEquals("[]\n", run("list", "--sysfs-root", root.toString()).out(),
                "disabled: hidden without -i (daxctl hides only zero-sized instances: the README says so)");
        JsonNode disabled = new ObjectMapper().readTree(run("list", "-i", "--sysfs-root", root.toString()).out());
        assertEquals("disabled", disabled.get(0).get("state").asText());
    }

    /** The persistent CXL instance of the CXL guest (core/src/test/devdax-vm, Linux 6.1), as sysfs lays it out. */
    @Test
    void listNamesACxlInstancesRegionAndMemdevsAsTheCxlToolDoes(@TempDir Path root) throws Exception {
        String cxlRoot = "sys/devices/platform/ACPI0017:00/root0";
        String ndRegion = cxlRoot + "/nvdimm-bridge0/ndbus0/region0";
        String device = ndRegion + "/dax0.0/dax0.0";
        String memdev = "sys/devices/pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0";
        String decoder = cxlRoot + "/port1/endpoint2/decoder2.0";
        String cxlRegion = cxlRoot + "/decoder0.0/region0";
        for (String[] attr : List.of(new String[] {device + "/size", "262144000"},
                new String[] {device + "/align", "2097152"}, new String[] {device + "/target_node", "1"},
                new String[] {ndRegion + "/persistence_domain", "memory_controller"},
                new String[] {ndRegion + "/size", "268435456"}, new String[] {memdev + "/serial", "0x1"},
                new String[] {decoder + "/mode", "pmem"}, new String[] {cxlRegion + "/size", "0x10000000"},
                new String[] {cxlRegion + "/interleave_ways", "1"}, new String[] {cxlRegion + "/target0", "decoder2.0"},
                new String[] {"sys/bus/dax/drivers/device_dax/bind", ""})) {
            Files.createDirectories(root.resolve(attr[0]).getParent());
            Files.writeString(root.resolve(attr[0]), attr[1] + "\n");
        }
        for (String[] link : List.of(new String[] {device + "/driver", "sys/bus/dax/drivers/device_dax"},
                new String[] {"sys/bus/dax/devices/dax0.0", device}, new String[] {cxlRoot + "/port1/endpoint2/uport", memdev},
                new String[] {"sys/bus/cxl/devices/decoder2.0", decoder})) {
            Path at = root.resolve(link[0]);
            Files.createDirectories(at.getParent());
            Files.createSymbolicLink(at, at.getParent().relativize(root.resolve(link[1])));
        }

        Run json = run("list", "--sysfs-root", root.toString());
        assertEquals(0, json.exit(), json.err());
        JsonNode dax = new ObjectMapper().readTree(json.out()).get(0);
        assertTrue(dax.get("nvdimm").asBoolean(), "a persistent CXL region registers with libnvdimm");
        assertEquals("memory_controller", dax.get("persistence_domain").asText());
        assertEquals("region0", dax.get("cxl_region").asText());
        assertEquals("pmem", dax.get("cxl_mode").asText());
        JsonNode mem0 = dax.get("memdevs").get(0);
        assertEquals("mem0", mem0.get("memdev").asText(), json.out());
        assertEquals("0x1", mem0.get("serial").asText(), "as cxl list -u prints it");
        assertEquals("0000:0d:00.0", mem0.get("host").asText());
        assertEquals("pci0000:0c", mem0.get("host_bridge").asText());
    }

    private static List<String> names(JsonNode object) {
        List<String> list = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(list::add);
        return list;
    }

    @Test
    void everyCommandHasHelpAndTheHelpCommandNamesThem() {
        for (String command : List.of("list", "info", "create", "check", "bench")) {
            Run help = run(command, "--help");
            assertEquals(0, help.exit(), command + ": " + help.err());
            assertTrue(help.out().startsWith("Usage: dax4j " + command), help.out());
            assertEquals(help.out(), run("help", command).out(), "dax4j help " + command);
        }
        Run help = run("help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("bench") && help.out().contains("generate-completion"), help.out());
    }

    @Test
    void aFailureIsOneLineAndVerboseAddsTheStackTrace() {
        Run quiet = run("info", dir.resolve("missing").toString());
        assertEquals(1, quiet.exit());
        assertEquals(1, quiet.err().lines().count(), quiet.err());
        Run verbose = run("info", dir.resolve("missing").toString(), "--verbose");
        assertEquals(1, verbose.exit());
        assertTrue(verbose.err().lines().count() > 3 && verbose.err().contains("\tat "), verbose.err());
    }

    @Test
    void sizesTakeDaxctlsAndIecSuffixes() {
        assertEquals(4096, Dax4jCommand.bytes("4K"));
        assertEquals(4096, Dax4jCommand.bytes("4KiB"));
        assertEquals(64L << 20, Dax4jCommand.bytes("64MiB"));
        assertEquals(64L << 20, Dax4jCommand.bytes("64m"));
        assertEquals(2L << 30, Dax4jCommand.bytes("2GiB"));
        assertEquals(12345, Dax4jCommand.bytes("12345"));
        for (String bad : List.of("0", "-4K", "4KB", "lots", "", "99999999999G")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> Dax4jCommand.bytes(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void infoPrintsOneJsonObjectWithJson() throws Exception {
        Path device = dir.resolve("dev");
        assertEquals(0, run("create", device.toString(), "--size", "4MiB").exit());
        Run info = run("info", device.toString(), "--json");
        assertEquals(0, info.exit(), info.err());
        JsonNode o = new ObjectMapper().readTree(info.out());
        assertEquals(4L << 20, o.get("size").asLong());
        assertEquals(4096, o.get("alignment").asLong());
        assertEquals(4096, o.get("fault_size").asLong());
        assertEquals("no (EOPNOTSUPP)", o.get("map_sync").asText());
        assertTrue(o.get("durability").asText().startsWith("MSYNC"), o.toString());
    }

    /** The tool as a shell runs it: its own JVM, its exit code, its standard output and error. */
    @Test
    void theCommandRunsInItsOwnProcess(@TempDir Path root) throws Exception {
        Path device = dir.resolve("dev");
        Process created = launch("create", device.toString(), "--size", "2M");
        assertEquals(0, created.waitFor(), new String(created.getErrorStream().readAllBytes()));
        Process info = launch("info", device.toString());
        String out = new String(info.getInputStream().readAllBytes());
        assertEquals(0, info.waitFor());
        assertTrue(out.contains("size          2097152"), out);
        Process list = launch("list", "--sysfs-root", root.toString());
        assertEquals(0, list.waitFor());
        assertEquals(0, new ObjectMapper().readTree(list.getInputStream().readAllBytes()).size());
        Process missing = launch("check", dir.resolve("missing").toString());
        assertEquals(1, missing.waitFor());
        assertTrue(new String(missing.getErrorStream().readAllBytes()).contains("ENOENT"));
        Process usage = launch("--no-such-option");
        assertEquals(2, usage.waitFor());
    }

    private static Process launch(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command()
                .orElse("java"), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Dax4jCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    @Test
    void generatesABashAndZshCompletionScript() {
        Run completion = run("generate-completion");
        assertEquals(0, completion.exit(), completion.err());
        assertTrue(completion.out().contains("complete -F _complete_dax4j") && completion.out().contains("create"),
                completion.out().lines().limit(5).toList().toString());
    }

    @Test
    void createInfoAndCheckAnEmulatedDevice() throws Exception {
        Path device = dir.resolve("dev");
        Run created = run("create", device.toString(), "--size", "4M");
        assertEquals(0, created.exit(), created.err());
        assertEquals(4L << 20, Files.size(device));

        Run info = run("info", device.toString());
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains("file on tmpfs") && info.out().contains("MAP_SYNC      no (EOPNOTSUPP)")
                && info.out().contains("durability    MSYNC") && info.out().contains("persistence   none (a file in RAM")
                && info.out().contains("directory     none"), info.out());

        assertEquals("ok: no directory (all zero)\n", run("check", device.toString()).out());
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
            Directory.open(pmem).create("slots", java.lang.foreign.MemoryLayout.structLayout(
                    java.lang.foreign.ValueLayout.JAVA_LONG.withName("k")), 4,
                    io.github.dax4j.layout.RegionAlignment.CACHE_LINE, false);
        }
        Run ok = run("check", device.toString());
        assertEquals(0, ok.exit());
        assertEquals("ok: 1 regions [slots]\n", ok.out());
        assertTrue(run("info", device.toString()).out().contains("slots (4 x 8 B"));

        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
            pmem.putByte(20, (byte) 0x7f); // a byte of the header, covered by its checksum
            pmem.persist(0, 64);
        }
        Run damaged = run("check", device.toString());
        assertEquals(1, damaged.exit());
        assertTrue(damaged.err().startsWith("dax4j: damaged: the directory header"), damaged.err());
    }

    @Test
    void refusalsExitWithOneAndSayWhyOnStderr() {
        Path device = dir.resolve("dev");
        assertEquals(0, run("create", device.toString(), "--size", "4M").exit());
        Run exists = run("create", device.toString(), "--size", "4M");
        assertEquals(1, exists.exit());
        assertTrue(exists.err().contains("exists already"), exists.err());

        Run strict = run("create", dir.resolve("huge").toString(), "--size", "4M", "--align", "2M");
        assertEquals(1, strict.exit());
        assertTrue(strict.err().contains("huge=always"), strict.err());
        assertTrue(Files.notExists(dir.resolve("huge")), "nothing left behind");

        Run size = run("create", dir.resolve("x").toString(), "--size", "lots");
        assertEquals(2, size.exit(), "a malformed option value is a usage error");
        assertTrue(size.err().contains("not a size: 'lots'"), size.err());

        Run missing = run("info", dir.resolve("missing").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("ENOENT"), missing.err());

        assertEquals(2, run().exit(), "no command is a usage error");
        assertEquals(2, run("frobnicate").exit());
    }

    @Test
    void benchMeasuresPersistAndWalThroughput() {
        Path device = dir.resolve("dev");
        assertEquals(0, run("create", device.toString(), "--size", "8M").exit());
        Run bench = run("bench", device.toString(), "--seconds", "2.4");
        assertEquals(0, bench.exit(), bench.err());
        List<String> lines = bench.out().lines().toList();
        assertTrue(bench.err().startsWith("warning: MSYNC on tmpfs: msync writes the page cache back"), bench.err());
        assertTrue(lines.stream().filter(l -> l.startsWith("persist 8 B MSYNC: ") && l.contains(" ops/s, p50 "))
                .count() >= 2, "a line per second and one in all: " + bench.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("WAL append 64 B: ") && l.contains(" records/s, p50 ")
                && l.contains(" in all (")), bench.out());
    }

    @Test
    void benchRefusesASourceTooSmallOrHoldingRegionsBeforeWritingAByte() throws Exception {
        Path small = dir.resolve("small");
        byte[] contents = new byte[8192];
        java.util.Arrays.fill(contents, (byte) 0x5a);
        Files.write(small, contents);
        byte[] before = Files.readAllBytes(small);
        Run tooSmall = run("bench", small.toString(), "--seconds", "0.1");
        assertEquals(1, tooSmall.exit());
        assertTrue(tooSmall.err().contains("8192 bytes") && tooSmall.err().contains("1 MiB")
                && !tooSmall.err().contains("Exception"), tooSmall.err());
        assertArrayEquals(before, Files.readAllBytes(small), "not a byte written");

        Path device = dir.resolve("dev");
        assertEquals(0, run("create", device.toString(), "--size", "4M").exit());
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
            KeyValueTable.open(pmem, Directory.open(pmem), "precious", 4).put(1, new byte[] {1});
        }
        before = Files.readAllBytes(device);
        Run holding = run("bench", device.toString(), "--seconds", "0.1");
        assertEquals(1, holding.exit());
        assertTrue(holding.err().contains("[precious]") && holding.err().contains("--force"), holding.err());
        assertArrayEquals(before, Files.readAllBytes(device), "not a byte written");
        assertEquals(1, run("bench", device.toString(), "--seconds", "NaN").exit());
        Path foreign = dir.resolve("foreign");
        byte[] data = new byte[1 << 20];
        java.util.Arrays.fill(data, 100, 200, (byte) 7);
        Files.write(foreign, data);
        Run notOurs = run("bench", foreign.toString(), "--seconds", "0.1");
        assertEquals(1, notOurs.exit());
        assertTrue(notOurs.err().contains("holds data and no dax4j directory") && notOurs.err().contains("--force"),
                notOurs.err());
        assertArrayEquals(data, Files.readAllBytes(foreign), "not a byte written");
        assertEquals(0, run("bench", device.toString(), "--seconds", "0.1", "--force").exit());
    }

    @Test
    void checkValidatesEveryLogAndTableAndReportsTheirDamage() throws Exception {
        Path device = dir.resolve("dev");
        assertEquals(0, run("create", device.toString(), "--size", "4M").exit());
        long headAt;
        long tableAt;
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
            Directory directory = Directory.open(pmem);
            WriteAheadLog log = WriteAheadLog.open(pmem, directory, "wal", 4096);
            log.append(new byte[] {1});
            KeyValueTable.open(pmem, directory, "kv", 4).put(7, new byte[] {7});
            headAt = directory.find("wal.head").orElseThrow().offset();
            tableAt = directory.find("kv").orElseThrow().offset();
        }
        Run ok = run("check", device.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertEquals("ok: 3 regions [kv, wal, wal.head]; table kv: 1 entries; log wal: head 0x0, tail 0x10000000040\n",
                ok.out());
        byte[] intact = Files.readAllBytes(device);

        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
            pmem.putByte(headAt + 3, (byte) 0x7f);
            pmem.putByte(headAt + 64 + 3, (byte) 0x7f);
            pmem.persist(headAt, 128);
        }
        Run log = run("check", device.toString());
        assertEquals(1, log.exit());
        assertTrue(log.err().startsWith("dax4j: damaged: head region 'wal.head'") && log.err().contains("H1"),
                log.err());

        Files.write(device, intact);
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
            for (int slot = 0; slot < 4; slot++) {
                pmem.putLongAtomicAndPersist(tableAt + 64L * slot, 2); // a state the format does not have
            }
        }
        Run table = run("check", device.toString());
        assertEquals(1, table.exit());
        assertTrue(table.err().startsWith("dax4j: damaged: breaks K1: slot 0 of table 'kv'"), table.err());

        Files.write(device, intact);
        try (DaxMapping pmem = DaxMapping.open(device, MapOptions.wholeSource().emulateMapSync())) {
            // entry 2 (kv) moved onto entry 1's (wal) range and sealed again with a valid CRC, as a forger would
            MemorySegment entry = pmem.segment().asSlice(64 + 2 * 128, 128);
            entry.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, pmem.segment().get(ValueLayout.JAVA_LONG_UNALIGNED,
                    64 + 128 + 8));
            CRC32C crc = new CRC32C();
            crc.update(entry.asSlice(8, 112).asByteBuffer());
            entry.set(ValueLayout.JAVA_LONG_UNALIGNED, 120, crc.getValue());
        }
        Run forged = run("check", device.toString());
        assertEquals(1, forged.exit());
        assertTrue(forged.err().contains("invariant 9") && forged.err().contains("overlap"), forged.err());
    }
}
