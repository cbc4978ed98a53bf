/**
 * Device-DAX instances and NVDIMM regions as sysfs describes them, read directly (no libndctl), from a root that
 * tests can replace with a fixture tree. See {@link io.github.dax4j.device.DaxDevices}.
 */
package io.github.dax4j.device;
