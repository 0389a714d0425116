# TermBrain's container image: `tb` as the entrypoint, for the offline tools
# (tb replay, tb log verify, tb export) against a mounted data dir, and for
# the daemon. docs/packaging.md, "Container image", says how to build and
# run it; scripts/container-test builds it and runs it on a store.
#
# BASE is a Debian bookworm image; no registry is needed: scripts/container-test
# makes one from a debootstrap root (tests/ship/lib.sh, ship_bookworm_root).

ARG BASE=localhost/termbrain-base:bookworm

# Build stage: the Debian package from this source, built as scripts/package
# builds it (Release, Debian's hardening flags, stripped).
FROM ${BASE} AS build
ARG JOBS=2
COPY scripts/deps.sh /src/scripts/deps.sh
RUN /src/scripts/deps.sh && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dpkg-dev file >/dev/null
COPY . /src
WORKDIR /src
RUN rm -rf build-package && TB_JOBS=${JOBS} scripts/package build-package > /tmp/deb
# The runtime root: the packaged binary, the shared libraries it loads (and
# their loader), a non-root user (uid 10001), all owned by root; and the
# directories that user writes, in /rootfs-tb (copied with its owner below).
RUN dpkg-deb -x "$(cat /tmp/deb)" /tmp/pkg && \
    mkdir -p /rootfs/usr/bin /rootfs/etc /rootfs/tmp /rootfs-tb/data /rootfs-tb/run/termbrain /rootfs-tb/home/tb && \
    cp /tmp/pkg/usr/bin/tb /rootfs/usr/bin/tb && \
    ldd /rootfs/usr/bin/tb | awk '/=> \// {print $3} /^\t\// {print $1}' | \
      xargs -I{} cp -L --parents {} /rootfs/ && \
    printf 'root:x:0:0:root:/root:/usr/sbin/nologin\ntb:x:10001:10001:TermBrain:/home/tb:/usr/sbin/nologin\n' \
      > /rootfs/etc/passwd && \
    printf 'root:x:0:\ntb:x:10001:\n' > /rootfs/etc/group && \
    chmod 1777 /rootfs/tmp && chmod 0700 /rootfs-tb/data /rootfs-tb/run/termbrain /rootfs-tb/home/tb

# Runtime stage: nothing but that root.
FROM scratch
COPY --from=build /rootfs/ /
COPY --from=build --chown=10001:10001 /rootfs-tb/ /
USER 10001:10001
ENV HOME=/home/tb TERMBRAIN_DATA_DIR=/data TERMBRAIN_SPOOL_DIR=/run/termbrain
WORKDIR /home/tb
ENTRYPOINT ["/usr/bin/tb"]
CMD ["help"]
