#!/usr/bin/env bash
# Runs dax4j's device-DAX test suite (@Tag("devdax")) against the real kernel driver, in a QEMU guest whose
# persistent memory is configured as /dev/dax0.0: an emulated NVDIMM (ACPI NFIT, BACKING=nvdimm, the default) or an
# emulated CXL type-3 memory device in a persistent CXL region (BACKING=cxl: cxl_acpi, cxl_pci, cxl_mem, cxl_pmem),
# or a volatile type-3 device in a CXL RAM region (BACKING=cxl-ram: dax_cxl, no libnvdimm).
# Everything comes from Debian packages and is cached under target/devdax-vm/ of the checkout. Boots twice: the
# second boot checks that data persisted before the first power-off is still there (cxl-ram boots once: nothing
# persists). Prints "devdax: N passed, N failed, N skipped" and exits non-zero on any failure or timeout.
#
# Needs: root (apt-get, depmod), the compiled tests (run after ./mvnw verify), a JDK >= 22 on the host.
# Usage: core/src/test/devdax-vm/run.sh   (ALIGN=2M by default, ALIGN=1G for a 1 GiB-aligned NVDIMM instance;
#                                          BACKING=cxl for a 2 MiB-aligned instance on CXL,
#                                          BACKING=cxl-ram for one on volatile CXL memory)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
work=${DAX4J_VM_WORK:-$root/target/devdax-vm}
align=${ALIGN:-2M}
backing=${BACKING:-nvdimm}
case "$backing/$align" in
  nvdimm/2M | nvdimm/1G | cxl/2M | cxl-ram/2M) ;;
  *) echo "devdax-vm: BACKING=$backing with ALIGN=$align is not a configuration (nvdimm: 2M or 1G; cxl, cxl-ram: 2M)" >&2; exit 2 ;;
esac
timeout_s=${DAX4J_VM_TIMEOUT:-150} # a boot takes about 20 s here; four boots in .ci/run stay under 10 minutes
mkdir -p "$work"
log() { printf 'devdax-vm: %s\n' "$*" >&2; }

# 1. Packages
need=()
for p in qemu-system-x86 busybox-static ndctl daxctl kmod cpio; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1; apt-get install -y -q "${need[@]}" >/dev/null; }
fi

# 2. Guest kernel and the modules it needs, from the distribution's linux-image package. A volatile CXL region's
# device-DAX instance (dax_cxl) needs newer parts than Debian 12 has, all from bookworm-backports, fetched with a
# private apt configuration under $work/bpo (deb822, so the file ends in .sources; the host's sources, lists and installed packages stay as they are):
# Linux 6.12 (6.1 cannot create RAM regions), QEMU 10.0 (7.2's volatile type-3 device) and SeaBIOS 1.16.3 (1.16.2
# stalls 33 s in this machine's firmware setup).
apt_opts=()
if [ "$backing" = cxl-ram ]; then
  bpo="$work/bpo"
  mkdir -p "$bpo/lists/partial" "$bpo/cache/archives/partial"
  cat > "$bpo/bpo.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt_opts=(-o "Dir::Etc::sourcelist=$bpo/bpo.sources" -o Dir::Etc::sourceparts=/nonexistent
    -o "Dir::State::Lists=$bpo/lists" -o "Dir::Cache=$bpo/cache")
  ls "$bpo"/lists/*_Packages* >/dev/null 2>&1 || { log "apt-get update (bookworm-backports, lists in $bpo)"; apt-get "${apt_opts[@]}" update -q >/dev/null; }
fi
bpo_download() { # package...: into the current directory; stale lists (a version gone from the archive) are renewed
  apt-get "${apt_opts[@]}" download "$@" >/dev/null 2>&1 || { apt-get "${apt_opts[@]}" update -q >/dev/null 2>&1; apt-get "${apt_opts[@]}" download "$@" >/dev/null; }
}
kpkg=$(apt-cache "${apt_opts[@]}" depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || { apt-get "${apt_opts[@]}" update -q >/dev/null 2>&1; kpkg=$(apt-cache "${apt_opts[@]}" depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'); }
kver=${kpkg#linux-image-}
if [ ! -d "$work/kernel/$kver/lib/modules/$kver/kernel/drivers/cxl" ]; then
  log "fetching $kpkg"
  rm -rf "$work/kernel/$kver" && mkdir -p "$work/kernel/$kver" && cd "$work/kernel/$kver"
  bpo_download "$kpkg"
  # the directories this kernel has (6.12 has no fs/fscache: netfs took it in)
  members=$(dpkg-deb -c ./*.deb | awk '{print $6}')
  patterns=('./boot/vmlinuz-*' "./lib/modules/$kver/modules.order" "./lib/modules/$kver/modules.builtin*")
  for d in drivers/nvdimm drivers/dax drivers/acpi/nfit drivers/virtio drivers/cxl fs/9p net/9p fs/fscache fs/netfs; do
    grep -q "^\./lib/modules/$kver/kernel/$d/" <<<"$members" && patterns+=("./lib/modules/$kver/kernel/$d/*")
  done
  dpkg-deb --fsys-tarfile ./*.deb | tar -x --wildcards "${patterns[@]}"
  mv ./boot/vmlinuz-* vmlinuz && rm -f ./*.deb
  # 6.12's modules are xz-compressed, which the guest's busybox modprobe does not load ("Invalid ELF header")
  find ./lib/modules -name '*.ko.xz' -exec busybox unxz {} +
  cd "$root"
fi
qemu=qemu-system-x86_64 qemu_opts=() cpu=max
if [ "$backing" = cxl-ram ]; then
  qver=$(apt-cache "${apt_opts[@]}" policy qemu-system-x86 | awk '/Candidate:/ {print $2}')
  sver=$(apt-cache "${apt_opts[@]}" policy seabios | awk '/Candidate:/ {print $2}')
  qdir="$bpo/qemu-${qver//:/_}-seabios-$sver"
  if [ ! -x "$qdir/usr/bin/qemu-system-x86_64" ]; then
    log "fetching QEMU $qver and SeaBIOS $sver (bookworm-backports)"
    rm -rf "$qdir" && mkdir -p "$qdir/debs" && cd "$qdir/debs"
    bpo_download qemu-system-x86 qemu-system-data seabios
    for deb in ./*.deb; do dpkg-deb -x "$deb" "$qdir"; done
    cd "$root" && rm -rf "$qdir/debs"
  fi
  missing=$(ldd "$qdir/usr/bin/qemu-system-x86_64" | awk '/not found/ {print $1}')
  [ -z "$missing" ] || { log "QEMU $qver needs libraries the host lacks: $missing"; exit 1; }
  qemu="$qdir/usr/bin/qemu-system-x86_64"
  # its own firmware first (linuxboot_dma.bin, bios-256k.bin), not the host's; no NIC, so no iPXE ROM is needed;
  # no audio: its default backend is a module, which it looks for in the host's QEMU 7.2 module directory and
  # aborts on ("Only modules from the same build can be loaded"). hypervisor=off: else TCG with -cpu max fails
  # "Failed to synchronize CPU cache state" in 10.0.
  qemu_opts=(-L "$qdir/usr/share/qemu" -L "$qdir/usr/share/seabios" -nic none -audio none)
  cpu=max,hypervisor=off
fi

# 3. A JDK >= 22 on the host, shared read-only with the guest
jdk=""
for candidate in ${JAVA_HOME:-} /usr/lib/jvm/*; do
  [ -x "$candidate/bin/java" ] || continue
  v=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  if [ "${v%%.*}" -ge 22 ] 2>/dev/null; then jdk=$candidate; break; fi
done
[ -n "$jdk" ] || { log "no JDK >= 22 found on the host"; exit 1; }

# 4. Test classpath: compiled classes and test classes, their dependencies, the JUnit console launcher
share="$work/share"
rm -rf "$share" && mkdir -p "$share/cp" "$share/reports"
[ -d "$root/core/target/test-classes" ] || { log "run ./mvnw verify first: core/target/test-classes is missing"; exit 1; }
cp -r "$root/core/target/classes" "$share/cp/classes"
cp -r "$root/core/target/test-classes" "$share/cp/test-classes"
(cd "$root" && ./mvnw -q -B -pl core org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.includeScope=test \
   -Dmdep.outputFile="$work/deps.txt" >/dev/null)
tr ':' '\n' < "$work/deps.txt" | while read -r jar; do [ -f "$jar" ] && cp "$jar" "$share/cp/"; done
console=$(ls "$work"/junit-platform-console-standalone-*.jar 2>/dev/null | head -1 || true)
if [ -z "$console" ]; then
  platform=$(ls "$share/cp" | sed -n 's/^junit-platform-engine-\(.*\)\.jar$/\1/p' | head -1)
  (cd "$root" && ./mvnw -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
     -DoutputDirectory="$work" >/dev/null)
  console=$(ls "$work"/junit-platform-console-standalone-*.jar | head -1)
fi
cp "$console" "$share/console.jar"
# the dax4j command as an operator runs it: bin/dax4j and the executable jar, in the layout the launcher knows
mkdir -p "$share/bin" "$share/lib"
cp "$root/bin/dax4j" "$share/bin/"
cli_jar=$(ls "$root"/cli/target/dax4j-cli-*-all.jar 2>/dev/null | head -1 || true)
[ -n "$cli_jar" ] && cp "$cli_jar" "$share/lib/"
rm -f "$share/cp"/junit-platform-console-standalone-*.jar

# 5. The guest's root file system: busybox, the modules, ndctl, the libraries the JDK and ndctl need, /init
rootfs="$work/rootfs"
rm -rf "$rootfs" && mkdir -p "$rootfs"/{bin,sbin,dev,proc,sys,tmp,jdk,share,lib,lib64,usr/lib,etc}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"; done
cp -r "$work/kernel/$kver/lib/modules" "$rootfs/lib/"
depmod -b "$rootfs" "$kver"
cp "$(command -v ndctl)" "$(command -v daxctl)" "$(command -v cxl)" "$rootfs/bin/"
libs=$( { ldd "$(command -v ndctl)"; ldd "$(command -v daxctl)"; ldd "$(command -v cxl)"; ldd "$jdk/bin/java"; ldd "$jdk/lib/server/libjvm.so";
          for so in "$jdk"/lib/*.so; do ldd "$so" 2>/dev/null; done; } | awk '/=>/ {print $3} /^\t\// {print $1}' | sort -u)
for lib in $libs /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
  [ -f "$lib" ] || continue
  mkdir -p "$rootfs$(dirname "$lib")" && cp -L "$lib" "$rootfs$lib"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"
echo "root:x:0:0:root:/:/bin/sh" > "$rootfs/etc/passwd"
cp "$here/init" "$rootfs/init" && chmod +x "$rootfs/init"
(cd "$rootfs" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$work/initramfs.gz")

# 6. Boot: first run the suite and write the power-cycle marker, then boot again and check it
image="$work/$backing.img"
rm -f "$image" "$work/cxl-lsa.img"
if [ "$backing" = cxl-ram ]; then
  # One volatile type-3 device (RAM, no label storage area) behind the same host bridge with two root ports and a
  # 4 GiB fixed memory window; the guest's init makes a RAM region of all of it through sysfs.
  memory_size=256M
  machine=(-machine q35,cxl=on -m 3G,slots=8,maxmem=8G
    -object "memory-backend-ram,id=cxl-mem1,share=on,size=$memory_size"
    -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
    -device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2
    -device cxl-rp,port=1,bus=cxl.1,id=root_port14,chassis=0,slot=3
    -device cxl-type3,bus=root_port13,volatile-memdev=cxl-mem1,id=cxl-vmem0,sn=0x2
    -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G)
  bus=(,bus=pcie.0)
elif [ "$backing" = cxl ]; then
  # One type-3 device behind a CXL host bridge (pxb-cxl) with a fixed memory window of 4 GiB. Two root ports: with
  # one, Linux 6.1 never programs the host bridge's decoder, and the map succeeds while every read returns 0 and
  # writes vanish (the suite checks data for that reason). sn=0 gives the labels a zero interleave-set cookie that
  # the next boot refuses ("invalid interleave-set-cookie"), so the device has serial number 1.
  memory_size=512M
  truncate -s "$memory_size" "$image" && truncate -s 1M "$work/cxl-lsa.img"
  machine=(-machine q35,cxl=on -m 3G,slots=8,maxmem=8G
    -object "memory-backend-file,id=cxl-mem1,share=on,mem-path=$image,size=$memory_size"
    -object "memory-backend-file,id=cxl-lsa1,share=on,mem-path=$work/cxl-lsa.img,size=1M"
    -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
    -device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2
    -device cxl-rp,port=1,bus=cxl.1,id=root_port14,chassis=0,slot=3
    -device cxl-type3,bus=root_port13,memdev=cxl-mem1,lsa=cxl-lsa1,id=cxl-pmem0,sn=0x1
    -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G)
  bus=(,bus=pcie.0) # q35 with CXL: the 9p devices sit on the root bus, not behind the CXL host bridge
else
  memory_size=1G; [ "$align" = 1G ] && memory_size=4G
  truncate -s "$memory_size" "$image"
  machine=(-machine pc,nvdimm=on -m 3G,slots=2,maxmem=8G
    -object "memory-backend-file,id=mem1,share=on,mem-path=$image,size=$memory_size,align=2M"
    -device nvdimm,memdev=mem1,id=nv1,label-size=128K)
  bus=("")
fi
boot() { # phase [vcpus [seconds]]: the phase goes to the guest's init on the kernel command line
  local phase=$1 smp=${2:-2} limit=${3:-$timeout_s}
  echo "$align" > "$share/align"
  echo "$backing" > "$share/backing"
  rm -f "$share/exit-code-$phase"
  timeout "$limit" "$qemu" "${qemu_opts[@]}" "${machine[@]}" -accel tcg -cpu "$cpu" -smp "$smp" \
    -kernel "$work/kernel/$kver/vmlinuz" -initrd "$work/initramfs.gz" \
    -append "console=ttyS0 rdinit=/init panic=-1 quiet dax4j.phase=$phase" -display none -monitor none \
    -serial stdio -no-reboot \
    -fsdev "local,id=jdk,path=$jdk,security_model=none,readonly=on" -device "virtio-9p-pci,fsdev=jdk,mount_tag=jdk${bus[0]}" \
    -fsdev "local,id=share,path=$share,security_model=none" -device "virtio-9p-pci,fsdev=share,mount_tag=share${bus[0]}" \
    > "$work/console-$backing-$phase.log" 2>&1 || true
  [ -f "$share/exit-code-$phase" ] || { log "boot '$phase' did not finish in ${limit}s; see $work/console-$backing-$phase.log"; tail -20 "$work/console-$backing-$phase.log" >&2; return 1; }
}
log "booting the guest (kernel $kver, $memory_size $backing, align $align)"
status=0
boot write || status=1
# volatile memory: nothing to find after a power-off, one boot
[ "$status" -eq 0 ] && [ "$backing" != cxl-ram ] && { boot verify || status=1; }
# Two hosts on one memory: two guests at once on the same backing file (share=on), one vCPU each, one streaming
# records to the other through a SharedRing (TwoHostRingTest). Once per CI run: with the 2 MiB NVDIMM.
if [ "$status" -eq 0 ] && [ "$backing/$align" = nvdimm/2M ] && [ "${DAX4J_VM_TWO_HOSTS:-1}" = 1 ]; then
  log "booting two guests on one backing file: records from one to the other through shared memory"
  boot ring-reader 1 300 & reader=$!
  boot ring-writer 1 300 & writer=$!
  wait "$reader" || status=1
  wait "$writer" || status=1
  grep -h "two-host ring:" "$share/junit-ring-reader.log" >&2 || true
fi

# 7. Results
passed=0 failed=0 skipped=0
for xml in "$share"/reports/*/TEST-*.xml; do
  [ -f "$xml" ] || continue
  t=$(grep -o '<testsuite [^>]*' "$xml" | head -1)
  tests=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$t"); fail=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$t")
  err=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$t"); skip=$(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$t")
  passed=$((passed + tests - fail - err - skip)); failed=$((failed + fail + err)); skipped=$((skipped + skip))
done
grep -h -A3 '<failure\|<error' "$share"/reports/*/TEST-*.xml 2>/dev/null | head -40 >&2 || true
for crash in "$share"/hs_err_*.log; do # a JVM that died in the guest: its report, kept with the work directory
  [ -f "$crash" ] || continue
  log "a JVM crashed in the guest: $crash"; sed -n '1,40p' "$crash" >&2; status=1
done
# `dax4j list` against `daxctl list` on the same instance: every key daxctl prints, with its value and JSON type
if [ -n "$cli_jar" ]; then
  for form in "" -human; do # plain, and with -u (human sizes; one instance printed as a bare object by both)
    if python3 - "$share/daxctl$form-write.json" "$share/dax4j-list$form-write.json" "$form" >&2 <<'PY'; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
import json, sys
daxctl, dax4j = (json.load(open(f)) for f in sys.argv[1:3])
assert type(daxctl) is type(dax4j), ("array or object", daxctl, dax4j)
daxctl, dax4j = ([x] if isinstance(x, dict) else x for x in (daxctl, dax4j))
assert len(daxctl) == 1 and len(dax4j) == 1, (daxctl, dax4j)
for key, value in daxctl[0].items():
    assert key in dax4j[0] and dax4j[0][key] == value and type(dax4j[0][key]) is type(value), (key, value, dax4j[0])
print(f"devdax-vm: dax4j list{' -u' if sys.argv[3] else ''} matches daxctl list{' -u' if sys.argv[3] else ''}:",
      ", ".join(f"{k}={v}" for k, v in daxctl[0].items()))
PY
  done
else
  log "no cli/target/dax4j-cli-*-all.jar: dax4j list not compared with daxctl list"
fi
[ "$passed" -gt 0 ] || { log "no device test passed"; status=1; }
echo "devdax: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit "$status"
