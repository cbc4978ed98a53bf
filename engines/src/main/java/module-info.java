/**
 * Engines built on dax4j, to use as they are or to copy: {@code io.github.dax4j.engines.wal} (a write-ahead log)
 * and {@code io.github.dax4j.engines.kv} (a crash-consistent fixed-size hash table). Each lives in regions of a
 * device's {@link io.github.dax4j.layout.Directory}, validates its whole on-device format at open and is checked
 * by dax4j's crash simulator. No dependency but dax4j itself, which their API shows (hence transitive).
 */
module io.github.dax4j.engines {
    requires transitive io.github.dax4j;

    exports io.github.dax4j.engines.wal;
    exports io.github.dax4j.engines.kv;
}
