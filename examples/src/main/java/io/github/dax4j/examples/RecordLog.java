package io.github.dax4j.examples;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The demo's on-device format: a header and a run of fixed-size, checksummed records.
 *
 * <pre>
 * offset 0                                                          64
 *        +--------+--------+--------+---------------------------------+
 * header | magic  | run id | count  |  (padding)                      |
 *        +--------+--------+--------+---------------------------------+
 *   64   | seq    | run id |crc |len |  payload (40 bytes)             |  record 0
 *        +--------+--------+----+----+---------------------------------+
 *  128   | ...                                                        |  record 1
 * </pre>
 *
 * <p>Update protocol, per record: (1) write the record, (2) persist it, (3) store the new count in the header,
 * (4) persist the header. A record is valid only below the persisted count, so a crash between (2) and (4) loses
 * at most the record being appended, never a committed one. The CRC lets {@link #verify} tell a torn record from a
 * good one.
 */
final class RecordLog {

    static final long MAGIC = 0x4f4d4458_4a345844L; // "DX4JXDMO" little-endian: identifies a demo device

    static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_LONG.withName("magic"),
            JAVA_LONG.withName("runId"),
            JAVA_LONG.withName("count"),
            MemoryLayout.paddingLayout(40));

    static final StructLayout RECORD = MemoryLayout.structLayout(
            JAVA_LONG.withName("sequence"),
            JAVA_LONG.withName("runId"),
            JAVA_INT.withName("crc"),
            JAVA_INT.withName("length"),
            MemoryLayout.sequenceLayout(40, JAVA_BYTE).withName("payload"));

    static final long HEADER_BYTES = HEADER.byteSize();
    static final long RECORD_BYTES = RECORD.byteSize();

    private static final long MAGIC_AT = HEADER.byteOffset(groupElement("magic"));
    private static final long RUN_AT = HEADER.byteOffset(groupElement("runId"));
    private static final long COUNT_AT = HEADER.byteOffset(groupElement("count"));
    private static final long SEQUENCE_AT = RECORD.byteOffset(groupElement("sequence"));
    private static final long RECORD_RUN_AT = RECORD.byteOffset(groupElement("runId"));
    private static final long CRC_AT = RECORD.byteOffset(groupElement("crc"));
    private static final long LENGTH_AT = RECORD.byteOffset(groupElement("length"));
    private static final long PAYLOAD_AT = RECORD.byteOffset(groupElement("payload"));
    private static final long PAYLOAD_BYTES = RECORD_BYTES - PAYLOAD_AT;

    private RecordLog() {
    }

    /** Starts an empty log of run {@code runId}; the caller persists the header. */
    static void reset(MemorySegment device, long runId) {
        device.set(JAVA_LONG, MAGIC_AT, MAGIC);
        device.set(JAVA_LONG, RUN_AT, runId);
        device.set(JAVA_LONG, COUNT_AT, 0);
    }

    /** Writes record {@code sequence} and returns its offset; the caller persists it, then {@link #commit}s. */
    static long append(MemorySegment device, long runId, long sequence) {
        long at = recordOffset(sequence);
        MemorySegment record = device.asSlice(at, RECORD_BYTES);
        byte[] payload = ("record " + sequence + " of run " + Long.toHexString(runId))
                .getBytes(StandardCharsets.US_ASCII);
        record.set(JAVA_LONG, SEQUENCE_AT, sequence);
        record.set(JAVA_LONG, RECORD_RUN_AT, runId);
        record.set(JAVA_INT, LENGTH_AT, payload.length);
        MemorySegment.copy(payload, 0, record, JAVA_BYTE, PAYLOAD_AT, payload.length);
        record.asSlice(PAYLOAD_AT + payload.length, PAYLOAD_BYTES - payload.length).fill((byte) 0);
        record.set(JAVA_INT, CRC_AT, crc(record));
        return at;
    }

    /** Publishes the first {@code count} records; the caller persists the header. */
    static void commit(MemorySegment device, long count) {
        device.set(JAVA_LONG, COUNT_AT, count);
    }

    /**
     * {@return the number of committed records that are intact} Checks the magic, then every committed record's
     * sequence, run and CRC.
     *
     * @throws IllegalStateException if the device holds no demo log or a committed record is damaged
     */
    static int verify(MemorySegment device) {
        if (device.get(JAVA_LONG, MAGIC_AT) != MAGIC) {
            throw new IllegalStateException("not a dax4j demo device: magic 0x"
                    + Long.toHexString(device.get(JAVA_LONG, MAGIC_AT)));
        }
        long runId = device.get(JAVA_LONG, RUN_AT);
        long count = device.get(JAVA_LONG, COUNT_AT);
        for (long i = 0; i < count; i++) {
            MemorySegment record = device.asSlice(recordOffset(i), RECORD_BYTES);
            if (record.get(JAVA_LONG, SEQUENCE_AT) != i || record.get(JAVA_LONG, RECORD_RUN_AT) != runId
                    || record.get(JAVA_INT, CRC_AT) != crc(record)) {
                throw new IllegalStateException("committed record " + i + " is damaged");
            }
        }
        return Math.toIntExact(count);
    }

    static long recordOffset(long sequence) {
        return HEADER_BYTES + sequence * RECORD_BYTES;
    }

    /** CRC32C of the record with its CRC field taken as zero. */
    private static int crc(MemorySegment record) {
        CRC32C crc = new CRC32C();
        crc.update(record.asSlice(0, CRC_AT).asByteBuffer());
        crc.update(record.asSlice(LENGTH_AT).asByteBuffer());
        return (int) crc.getValue();
    }
}
