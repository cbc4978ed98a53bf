package io.github.dax4j.hostile;

import io.github.dax4j.DaxMapping;
import io.github.dax4j.engines.kv.KeyValueTable;
import io.github.dax4j.engines.wal.WriteAheadLog;
import io.github.dax4j.layout.Directory;
import io.github.dax4j.layout.DirectoryException;
import io.github.dax4j.layout.RegionAlignment;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * What a forger writes: fields of the published on-device formats (the directory's, the log head's), sealed again
 * with valid checksums, so that only the formats' invariants can refuse them. Offsets are those the formats'
 * Javadoc documents.
 */
final class Forgery {

    static final StructLayout SLOT = MemoryLayout.structLayout(JAVA_LONG.withName("k"), JAVA_LONG.withName("v"));
    static final long HEADER_BYTES = 64, ENTRY_BYTES = 128;
    static final long H_VERSION = 8, H_CAPACITY = 12, H_DATA_START = 16, H_CHECKSUM = 56;
    static final long E_STATE = 0, E_OFFSET = 8, E_COUNT = 16, E_STRIDE = 24, E_ALIGN = 32, E_FLAGS = 36,
            E_SIGNATURE = 40, E_TEXT_AT = 56, E_TEXT_LENGTH = 64, E_NAME_LENGTH = 68, E_ELEMENT_SIZE = 72,
            E_NAME = 80, E_CHECKSUM = 120;

    private Forgery() {
    }

    /** Regions "first" and "second" (16 elements of {@link #SLOT} each) in entries 0 and 1. */
    static void twoRegions(DaxMapping pmem) throws DirectoryException {
        Directory directory = Directory.open(pmem);
        directory.create("first", SLOT, 16, RegionAlignment.CACHE_LINE, false);
        directory.create("second", SLOT, 16, RegionAlignment.CACHE_LINE, false);
    }

    /** Changes directory entry {@code slot} and seals it with a valid CRC. */
    static void entry(DaxMapping pmem, int slot, Consumer<MemorySegment> change) {
        MemorySegment entry = pmem.segment().asSlice(HEADER_BYTES + slot * ENTRY_BYTES, ENTRY_BYTES);
        change.accept(entry);
        CRC32C crc = new CRC32C();
        crc.update(entry.asSlice(8, E_CHECKSUM - 8).asByteBuffer());
        entry.set(JAVA_LONG_UNALIGNED, E_CHECKSUM, crc.getValue());
    }

    /** Changes the directory header and seals it with a valid CRC. */
    static void header(DaxMapping pmem, Consumer<MemorySegment> change) {
        MemorySegment header = pmem.segment().asSlice(0, HEADER_BYTES);
        change.accept(header);
        CRC32C crc = new CRC32C();
        crc.update(header.asSlice(0, H_CHECKSUM).asByteBuffer());
        header.set(JAVA_LONG_UNALIGNED, H_CHECKSUM, crc.getValue());
    }

    /** A log "wal" of 4 KiB with records of 40, 100 and 7 bytes, the first truncated away. */
    static WriteAheadLog log(DaxMapping pmem) throws DirectoryException {
        WriteAheadLog log = WriteAheadLog.open(pmem, Directory.open(pmem), "wal", 4096);
        log.append(new byte[40]);
        log.truncate(log.append(new byte[100]));
        log.append(new byte[7]);
        return log;
    }

    /** Writes copy {@code copy} of log "wal"'s head with {@code head} and {@code generation}, sealed. */
    static void logHead(DaxMapping pmem, int copy, long head, long generation) throws DirectoryException {
        logHead(pmem, copy, head, generation, WriteAheadLog.FORMAT_VERSION);
    }

    /** {@link #logHead(DaxMapping, int, long, long)} with a format {@code version} of the forger's choice. */
    static void logHead(DaxMapping pmem, int copy, long head, long generation, int version)
            throws DirectoryException {
        long at = Directory.open(pmem).find("wal.head").orElseThrow().offset() + 64L * copy;
        MemorySegment bytes = MemorySegment.ofArray(new byte[64]);
        bytes.set(JAVA_LONG_UNALIGNED, 0, head);
        bytes.set(JAVA_LONG_UNALIGNED, 8, generation);
        bytes.set(JAVA_INT_UNALIGNED, 16, version);
        CRC32C crc = new CRC32C();
        crc.update(bytes.asSlice(0, 20).asByteBuffer());
        bytes.set(JAVA_INT_UNALIGNED, 20, (int) crc.getValue());
        pmem.copy(at, bytes);
    }

    /** {@return the offset of the log region of "wal"} */
    static long logBase(DaxMapping pmem) throws DirectoryException {
        return Directory.open(pmem).find("wal").orElseThrow().offset();
    }

    /** A table "kv" of 8 slots holding keys 1 and 2; {@return the offset of its slot region} */
    static long table(DaxMapping pmem) throws DirectoryException {
        KeyValueTable table = KeyValueTable.open(pmem, Directory.open(pmem), "kv", 8);
        table.put(1, new byte[] {1});
        table.put(2, new byte[] {2});
        return Directory.open(pmem).find("kv").orElseThrow().offset();
    }

    /** {@return the offset of the first live slot of table "kv" at {@code at}} */
    static long liveSlot(DaxMapping pmem, long at) {
        long slot = at;
        while (pmem.getLong(slot) == 0) {
            slot += 64;
        }
        return slot;
    }
}
