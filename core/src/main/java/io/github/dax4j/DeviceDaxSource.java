package io.github.dax4j;

import io.github.dax4j.device.DaxDevice;

import java.nio.file.Path;

/**
 * A device-DAX character device: memory without a file system, faulted at the instance's {@code align}, with no
 * page cache and no {@code msync} (the driver answers {@code EINVAL}). Its size comes from sysfs; {@code fstat}
 * says 0.
 *
 * @param path     the path as given
 * @param realPath the path with symbolic links resolved
 * @param device   the instance as sysfs describes it
 */
public record DeviceDaxSource(Path path, Path realPath, DaxDevice device) implements Source {

    @Override
    public long size() {
        return device.size();
    }

    @Override
    public long faultSize() {
        return device.align();
    }

    @Override
    public Alignment naturalAlignment() {
        return Alignment.ofBytes(device.align()); // MappingPlan refuses an unsupported align before asking
    }
}
