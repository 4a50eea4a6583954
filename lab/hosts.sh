#!/usr/bin/env bash
# shellcheck disable=SC2015,SC2029  # "A && B || die" is meant; ssh commands expand on the client on purpose
# Real test hosts for mediaops.antmedia: Debian bookworm systemd-nspawn containers with
# systemd as PID 1, sshd and the AMS stand-in as service `antmedia`, each in its own
# network namespace on a bridge. Run as root. See "Test hosts" in lab/README.md.
#
#   lab/hosts.sh build [--force]          build (or reuse) the cached root filesystem
#   lab/hosts.sh up N [--inventory FILE]  boot hosts ams1..amsN (stop any above N), wait
#                                         until each runs, write the inventory
#   lab/hosts.sh down [N]                 tear everything down (N is ignored)
#   lab/hosts.sh status                   what is up
#   lab/hosts.sh ssh I [CMD...]           run CMD as root on host I (1 or ams1)
#   lab/hosts.sh install-standin          copy the repo's stand-in into the running hosts
#                                         and restart antmedia on each
#   lab/hosts.sh serve DIR [--port P]     serve DIR over HTTP on the bridge address
#   lab/hosts.sh serve-stop               stop that server
#   lab/hosts.sh inventory                print the inventory path
#   lab/hosts.sh config                   print the settings in force (sourceable)
#
# Settings (environment; the defaults are the project's lab):
#   LAB_NAME=ams LAB_BRIDGE=br-lab LAB_SUBNET=10.77.0 LAB_MASK=24 LAB_GW=1 LAB_BASE=10
#     host I is LAB_NAME+I at LAB_SUBNET.(LAB_BASE+I), the bridge LAB_SUBNET.LAB_GW/LAB_MASK
#   LAB_RUN=/run/mediaops-lab          state of the running lab (inventory, hosts' overlays)
#   LAB_CACHE=/var/cache/mediaops-lab  root filesystems and the SSH key (kept between runs)
#   LAB_STANDIN=<repo>/lab/ams_standin the stand-in package installed on the hosts
#   LAB_SERVE_PORT=8765 LAB_BOOT_TIMEOUT=120 LAB_ALLOW_DEGRADED=0 LAB_MIRROR=(from apt sources)
#   LAB_BARE=1                         hosts booted by up have no Ant Media Server: no stand-in,
#                                      no antmedia unit, user or /usr/local/antmedia (to install it);
#                                      their java is the test-only lab/hosts/java (runs a test release)
# A second lab can run beside the default one with other LAB_NAME, LAB_BRIDGE, LAB_RUN and a
# disjoint address range (e.g. LAB_MASK=26 LAB_GW=193 LAB_BASE=200: longest prefix wins).
set -euo pipefail
# debootstrap, ip and friends live in sbin, which a non-login root shell may not have on PATH.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE="$REPO/lab/hosts"

LAB_NAME=${LAB_NAME:-ams}
LAB_BRIDGE=${LAB_BRIDGE:-br-lab}
LAB_SUBNET=${LAB_SUBNET:-10.77.0}
LAB_MASK=${LAB_MASK:-24}
LAB_GW=${LAB_GW:-1}
LAB_BASE=${LAB_BASE:-10}
LAB_RUN=${LAB_RUN:-/run/mediaops-lab}
LAB_CACHE=${LAB_CACHE:-/var/cache/mediaops-lab}
LAB_STANDIN=${LAB_STANDIN:-$REPO/lab/ams_standin}
LAB_SERVE_PORT=${LAB_SERVE_PORT:-8765}
LAB_BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-120}
LAB_ALLOW_DEGRADED=${LAB_ALLOW_DEGRADED:-0}
LAB_BARE=${LAB_BARE:-0}
LAB_SUITE=bookworm

GW_IP="$LAB_SUBNET.$LAB_GW"
KEY="$LAB_CACHE/ssh/id_ed25519"
INVENTORY_INI="$LAB_RUN/inventory.ini"
INVENTORY_YML="$LAB_RUN/inventory.yml"
SSH_CONFIG="$LAB_RUN/ssh_config"
STANDIN_PORT=5080

# What the root filesystem holds (debootstrap resolves their Depends, no Recommends). The last
# line is what the antmedia_server role installs for a release (Java, unzip, video libraries):
# the hosts reach no mirror, so they must be in the image for the role to find them present.
# (python3-requests: the image predates the modules' standard-library client; nothing of ours needs it.)
ROOTFS_PACKAGES=(systemd systemd-sysv dbus openssh-server python3 python3-apt sudo iproute2
  procps ca-certificates curl ffmpeg python3-requests python3-venv
  openjdk-17-jre-headless unzip libva-drm2 libva-x11-2 libvdpau1)

SSH_OPTS=(-i "$KEY" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
  -o LogLevel=ERROR -o ConnectTimeout=3)

log() { printf '%s\n' "hosts.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

require_root() { [ "$(id -u)" -eq 0 ] || die "run as root (needs namespaces, bridges, mounts)"; }

validate_settings() {
  [[ $LAB_NAME =~ ^[a-z][a-z-]*$ ]] || die "LAB_NAME must be letters or '-' (a digit would make names ambiguous)"
  [[ $LAB_SUBNET =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "LAB_SUBNET must be three octets, e.g. 10.77.0"
  [ ${#LAB_BRIDGE} -le 15 ] || die "LAB_BRIDGE is longer than 15 characters"
}

host_name() { echo "$LAB_NAME$1"; }
host_ip() { echo "$LAB_SUBNET.$((LAB_BASE + $1))"; }
host_dir() { echo "$LAB_RUN/hosts/$(host_name "$1")"; }

# Accepts 2, ams2: prints the index.
host_index() {
  local arg=$1
  [[ $arg =~ ^${LAB_NAME}([0-9]+)$ ]] && arg=${BASH_REMATCH[1]}
  [[ $arg =~ ^[0-9]+$ ]] && [ "$arg" -ge 1 ] || die "not a host: $1"
  echo "$arg"
}

# ---------------------------------------------------------------- tools, mirror, key

ensure_tools() {
  local -A need=([debootstrap]=debootstrap [systemd-nspawn]=systemd-container [ip]=iproute2
    [ssh]=openssh-client [ssh-keygen]=openssh-client [curl]=curl [flock]=util-linux
    [pgrep]=procps [nsenter]=util-linux [setsid]=util-linux)
  local missing=() tool
  for tool in "${!need[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${need[$tool]}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing ${missing[*]}"
  # A fresh machine may have no package lists yet: update once, then retry.
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

# The machine's own Debian mirror: never a hard-coded host name.
debian_mirror() {
  if [ -n "${LAB_MIRROR:-}" ]; then echo "$LAB_MIRROR"; return; fi
  local url=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # The first stanza whose URIs is not the security archive.
    url=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$url" ] && [ -f /etc/apt/sources.list ]; then
    url=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$url" ] || die "no Debian mirror in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list (set LAB_MIRROR)"
  echo "$url"
}

ensure_key() {
  [ -f "$KEY" ] && [ -f "$KEY.pub" ] && return 0
  mkdir -p "$(dirname "$KEY")"; chmod 700 "$(dirname "$KEY")"
  rm -f "$KEY" "$KEY.pub"
  ssh-keygen -q -t ed25519 -N '' -C mediaops-lab -f "$KEY"
}

# ---------------------------------------------------------------- safe removal

# Mount points at or under DIR, deepest first.
mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r
}

# rm -rf a tree only once nothing is mounted in it: a /proc or /dev left mounted inside a
# root filesystem makes rm -rf wander into the host (see shared notes).
safe_remove_tree() {
  local dir=$1 m
  [ -e "$dir" ] || return 0
  case "$dir" in "$LAB_RUN"/?*|"$LAB_CACHE"/?*) ;; *) die "refusing to remove $dir" ;; esac
  for m in $(mounts_under "$dir"); do umount "$m" 2>/dev/null || umount -l "$m"; done
  [ -z "$(mounts_under "$dir")" ] || die "still mounted under $dir, not removing it"
  rm -rf --one-file-system -- "$dir"
}

# ---------------------------------------------------------------- root filesystem

# These two functions are the recipe: their text is part of the cache key, so editing
# them (or the package list) makes the next build a fresh one.
rootfs_debootstrap() {
  local target=$1 mirror=$2 packages
  packages=$(IFS=,; echo "${ROOTFS_PACKAGES[*]}")
  debootstrap --variant=minbase --components=main --include="$packages" "$LAB_SUITE" "$target" "$mirror"
}

rootfs_customize() {
  local root=$1
  # One tree serves every host: identity (hostname, machine-id, keys) is added per host at up.
  rm -f "$root/etc/hostname"
  : > "$root/etc/machine-id"
  rm -f "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin
  # The AMS layout the roles expect; chroot so that names resolve in the tree's own passwd.
  chroot "$root" useradd --system --user-group --home-dir /usr/local/antmedia --no-create-home \
    --shell /usr/sbin/nologin antmedia
  mkdir -p "$root"/usr/local/antmedia/{plugins,webapps}
  chroot "$root" chown -R antmedia:antmedia /usr/local/antmedia
  mkdir -p "$root/usr/local/antmedia/standin"  # the stand-in's code: root's, read-only to the service
  install -d -m 700 "$root/root/.ssh"
  # The hosts have no way out; timers that would try (apt) stay off.
  ln -sf /dev/null "$root/etc/systemd/system/apt-daily.timer"
  ln -sf /dev/null "$root/etc/systemd/system/apt-daily-upgrade.timer"
  printf '%s\n' 'PasswordAuthentication no' 'PermitRootLogin prohibit-password' 'UseDNS no' \
    'MaxSessions 50' 'MaxStartups 50:30:100' > "$root/etc/ssh/sshd_config.d/lab.conf"
  # Fail the build, not the first boot, if a must-have is missing.
  local f
  for f in usr/bin/ffmpeg usr/bin/python3 usr/lib/systemd/systemd usr/sbin/sshd usr/bin/curl usr/bin/sudo; do
    [ -x "$root/$f" ] || { echo "rootfs lacks /$f" >&2; return 1; }
  done
  chroot "$root" /usr/bin/python3 -c 'import apt' || return 1
}

rootfs_hash() {
  { echo "suite=$LAB_SUITE arch=$(dpkg --print-architecture)"
    printf 'pkg=%s\n' "${ROOTFS_PACKAGES[@]}"
    declare -f rootfs_debootstrap rootfs_customize
  } | sha256sum | cut -c1-16
}

rootfs_path() { echo "$LAB_CACHE/rootfs-$(rootfs_hash)"; }

# Build into a scratch folder, move into place only when complete: a half-built tree is
# never mistaken for a cached one.
build_rootfs() {
  local force=${1:-}
  local final tmp logf mirror started
  final=$(rootfs_path)
  if [ -d "$final" ] && [ "$force" != --force ]; then echo "$final"; return 0; fi
  ensure_tools
  mkdir -p "$LAB_CACHE"
  exec {build_lock}>"$LAB_CACHE/build.lock"
  flock "$build_lock"
  if [ -d "$final" ] && [ "$force" != --force ]; then exec {build_lock}>&-; echo "$final"; return 0; fi
  # Removing the tree under running hosts would pull the floor from under them.
  if grep -qF "$final" /proc/self/mountinfo; then die "hosts run on $final: down first, then build --force"; fi
  tmp="$final.build"; logf="$final.log"
  safe_remove_tree "$tmp"
  mirror=$(debian_mirror)
  started=$(date +%s)
  log "building root filesystem $final from $mirror (log $logf)"
  if ! rootfs_debootstrap "$tmp" "$mirror" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2; safe_remove_tree "$tmp"; die "debootstrap failed (log $logf)"
  fi
  if ! rootfs_customize "$tmp" >>"$logf" 2>&1; then
    tail -n 30 "$logf" >&2; safe_remove_tree "$tmp"; die "customizing the root filesystem failed (log $logf)"
  fi
  [ -z "$(mounts_under "$tmp")" ] || die "debootstrap left mounts under $tmp"
  if [ -d "$final" ]; then safe_remove_tree "$final"; fi
  mv "$tmp" "$final"
  log "root filesystem built in $(( $(date +%s) - started )) s, $(du -sh --one-file-system "$final" | cut -f1)"
  prune_old_rootfs "$final"
  exec {build_lock}>&-
  echo "$final"
}

# Older trees go, unless a running host still has one as its lower layer.
prune_old_rootfs() {
  local keep=$1 d
  for d in "$LAB_CACHE"/rootfs-*; do
    [ -d "$d" ] && [ "$d" != "$keep" ] || continue
    grep -qF "$d" /proc/self/mountinfo && continue
    log "removing old root filesystem $d"
    safe_remove_tree "$d"
    rm -f "$d.log"
  done
}

# ---------------------------------------------------------------- network

ensure_bridge() {
  if ! ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
    ip link add "$LAB_BRIDGE" type bridge
  fi
  # read first, then test: grep -q in a pipe can end ip with SIGPIPE, which pipefail takes for "absent"
  local addresses
  addresses=$(ip -4 addr show dev "$LAB_BRIDGE")
  grep -qF " $GW_IP/$LAB_MASK " <<< "$addresses" || ip addr add "$GW_IP/$LAB_MASK" dev "$LAB_BRIDGE"
  ip link set "$LAB_BRIDGE" up
}

setup_host_network() {
  local i=$1 name ip
  name=$(host_name "$i"); ip=$(host_ip "$i")
  ip netns add "$name"
  ip link add "veth-$name" type veth peer name eth0 netns "$name"
  ip link set "veth-$name" master "$LAB_BRIDGE" up
  ip -n "$name" link set lo up
  ip -n "$name" addr add "$ip/$LAB_MASK" dev eth0
  ip -n "$name" link set eth0 up
  # A default route makes ansible_default_ipv4 the host's own address, as on a real server.
  # Nothing goes further: the controller does not forward (ip_forward is left as it is).
  ip -n "$name" route add default via "$GW_IP"
}

# ---------------------------------------------------------------- hosts

nspawn_pids() {  # nspawn processes of host NAME of this lab (matched by its own root folder)
  pgrep -f "^systemd-nspawn .*--directory=$LAB_RUN/hosts/$1/root( |$)" || true
}

# The launched process (a subshell that becomes nspawn) still lives: no race with its exec.
host_launched() {
  local pidfile; pidfile="$(host_dir "$1")/nspawn.pid"
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

console_tail() { tail -n 20 "$(host_dir "$1")/console.log" >&2 2>/dev/null || true; }

host_running() {
  local name; name=$(host_name "$1")
  [ -n "$(nspawn_pids "$name")" ]
}

# Every host of this lab that has something left: state folder, namespace, cgroup, veth or
# process. Used by down, so that it also cleans up after a partial up.
lab_host_names() {
  {
    ls "$LAB_RUN/hosts" 2>/dev/null || true
    ip netns list 2>/dev/null | awk '{print $1}'
    find /sys/fs/cgroup/systemd /sys/fs/cgroup/unified -maxdepth 1 -name 'lab-*' -printf '%f\n' 2>/dev/null | sed 's/^lab-//' || true
    ip -o link show 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sed -n 's/^veth-//p'
  } | grep -E "^${LAB_NAME}[0-9]+$" | sort -u || true
}

cgroup_dirs() { echo "/sys/fs/cgroup/systemd/lab-$1" "/sys/fs/cgroup/unified/lab-$1"; }

# Per-host overlay over the shared read-only tree: its writes stay in its own upper folder,
# and the host side can write files into it before boot (identity, key, stand-in, unit).
mount_host_root() {
  local i=$1 rootfs=$2 dir
  dir=$(host_dir "$i")
  mkdir -p "$dir/upper" "$dir/work" "$dir/root"
  mount -t overlay "overlay-$(host_name "$i")" \
    -o "lowerdir=$rootfs,upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
}

write_etc_hosts() {  # write_etc_hosts ROOT COUNT
  local root=$1 count=$2 j
  {
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
    printf '%s\t%s\n' "$GW_IP" "lab-controller"
    for j in $(seq 1 "$count"); do printf '%s\t%s\n' "$(host_ip "$j")" "$(host_name "$j")"; done
  } > "$root/etc/hosts"
}

standin_unit() {
  if [ -f "$LAB_STANDIN/install/antmedia.service" ]; then
    echo "$LAB_STANDIN/install/antmedia.service"
  else
    echo "$HERE/antmedia.service"
  fi
}

# The stand-in is copied at up time, not baked into the tree: a changed stand-in needs
# no rebuild. The unit is enabled the way systemctl enable would, before boot.
install_standin_files() {
  local root=$1
  [ -f "$LAB_STANDIN/__main__.py" ] || die "no stand-in package at $LAB_STANDIN (set LAB_STANDIN)"
  rm -rf --one-file-system "$root/usr/local/antmedia/standin/ams_standin"
  mkdir -p "$root/usr/local/antmedia/standin"
  tar -C "$(dirname "$LAB_STANDIN")" --exclude=__pycache__ --exclude='*.pyc' \
    --owner=0 --group=0 -cf - "$(basename "$LAB_STANDIN")" |
    tar -C "$root/usr/local/antmedia/standin" --no-same-permissions -xf -
  if [ "$(basename "$LAB_STANDIN")" != ams_standin ]; then
    mv "$root/usr/local/antmedia/standin/$(basename "$LAB_STANDIN")" "$root/usr/local/antmedia/standin/ams_standin"
  fi
  chmod -R a+rX "$root/usr/local/antmedia/standin"
  install -m 644 "$(standin_unit)" "$root/etc/systemd/system/antmedia.service"
  mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
  ln -sfn /etc/systemd/system/antmedia.service "$root/etc/systemd/system/multi-user.target.wants/antmedia.service"
}

prepare_host_root() {  # prepare_host_root I COUNT
  local i=$1 count=$2 root name
  root="$(host_dir "$i")/root"; name=$(host_name "$i")
  echo "$name" > "$root/etc/hostname"
  tr -d '-' < /proc/sys/kernel/random/uuid > "$root/etc/machine-id"
  # No DNS: a name lookup must fail at once, never leave the test network.
  echo "# lab host: no DNS (names are in /etc/hosts)" > "$root/etc/resolv.conf"
  write_etc_hosts "$root" "$count"
  install -m 600 "$KEY.pub" "$root/root/.ssh/authorized_keys"
  if [ "$LAB_BARE" = 1 ]; then
    make_bare "$root"; touch "$(host_dir "$i")/bare"
  else
    install_standin_files "$root"
  fi
}

# A host as a fresh Debian server: the shared tree's AMS layout and user are hidden in this
# host's overlay (whiteouts), so that a role can install the server from scratch.
# Its Java is the test-only lab/hosts/java (at the JAVA_HOME the release's unit names), which starts the
# stand-in a test release carries, and only with this machine's native library on java.library.path.
make_bare() {
  local root=$1 f jvm
  rm -rf --one-file-system "$root/usr/local/antmedia"
  for f in passwd group shadow gshadow; do
    if [ -f "$root/etc/$f" ]; then sed -i '/^antmedia:/d' "$root/etc/$f"; fi
  done
  jvm="$root/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)/bin"
  mkdir -p "$jvm"
  rm -f "$jvm/java"
  install -m 755 "$HERE/java" "$jvm/java"
}

host_bare() { [ -f "$(host_dir "$1")/bare" ]; }

start_host() {  # start_host I COUNT ROOTFS
  local i=$1 count=$2 rootfs=$3 name dir c
  name=$(host_name "$i"); dir=$(host_dir "$i")
  stop_host "$name"  # leftovers of an earlier partial run
  setup_host_network "$i"
  mount_host_root "$i" "$rootfs"
  prepare_host_root "$i" "$count"
  # Without a cgroup of its own, the container's units fail with "Failed at step CGROUP".
  for c in $(cgroup_dirs "$name"); do mkdir -p "$c"; done
  (
    # The lock must not live on in the container, nor the caller's pipes (pytest waits on them).
    close_lock_fds
    for c in $(cgroup_dirs "$name"); do echo "$BASHPID" > "$c/cgroup.procs"; done
    # --register=no --keep-unit: there is no systemd/D-Bus on the controller to register with.
    # nspawn itself runs inside the namespace, else the /sys it mounts lists the controller's
    # interfaces and Ansible's interface facts (MAC, MTU) are wrong. nsenter, not
    # ip netns exec: that one remounts /sys without the cgroup trees nspawn needs.
    exec nsenter --net="/run/netns/$name" setsid systemd-nspawn --boot --directory="$dir/root" --machine="$name" --hostname="$name" \
      --register=no --keep-unit --network-namespace-path="/run/netns/$name" \
      --resolv-conf=off --timezone=off --link-journal=no --console=pipe \
      </dev/null >"$dir/console.log" 2>&1
  ) &
  echo $! > "$dir/nspawn.pid"
}

# SIGRTMIN+4 to the container's systemd is a clean poweroff; escalate if it hangs.
stop_host() {
  local name=$1 dir pids pid child c m t
  dir="$LAB_RUN/hosts/$name"
  pids=$(nspawn_pids "$name")
  for pid in $pids; do
    child=$(pgrep -P "$pid" | head -n1 || true)
    if [ -n "$child" ]; then kill -s RTMIN+4 "$child" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for t in $(seq 1 60); do
    [ -z "$(nspawn_pids "$name")" ] && break
    [ "$t" -eq 40 ] && for pid in $(nspawn_pids "$name"); do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.25
  done
  for pid in $(nspawn_pids "$name"); do kill -KILL "$pid" 2>/dev/null || true; done
  # Whatever is still in the host's cgroups (should be nothing) goes too.
  for c in $(cgroup_dirs "$name"); do
    [ -d "$c" ] || continue
    find "$c" -name cgroup.procs -exec cat {} + 2>/dev/null |
      while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done
  done
  for m in $(mounts_under "$dir"); do umount "$m" 2>/dev/null || umount -l "$m"; done
  ip netns del "$name" 2>/dev/null || true
  ip link del "veth-$name" 2>/dev/null || true
  for c in $(cgroup_dirs "$name"); do
    [ -d "$c" ] || continue
    for t in 1 2 3 4 5 6 7 8 9 10; do
      find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [ -d "$c" ] || break
      sleep 0.2
    done
    [ -d "$c" ] && log "warning: could not remove cgroup $c"
  done
  safe_remove_tree "$dir"
}

host_ssh() {  # host_ssh I CMD...
  local i=$1; shift
  ssh "${SSH_OPTS[@]}" "root@$(host_ip "$i")" "$@"
}

health_ok() { curl --noproxy '*' -fsS --max-time 2 -o /dev/null "http://$(host_ip "$1"):$STANDIN_PORT/_lab/health" 2>/dev/null; }

# Until systemd reports the boot finished and the stand-in answers on the host's address.
wait_host() {  # wait_host I DEADLINE
  local i=$1 deadline=$2 name state=""
  name=$(host_name "$i")
  while ! host_ssh "$i" true 2>/dev/null; do
    host_launched "$i" || { console_tail "$i"; die "$name: container exited while booting"; }
    [ "$(date +%s)" -lt "$deadline" ] || { console_tail "$i"; die "$name: no SSH within ${LAB_BOOT_TIMEOUT} s"; }
    sleep 0.2
  done
  state=$(timeout $(( deadline - $(date +%s) > 5 ? deadline - $(date +%s) : 5 )) ssh "${SSH_OPTS[@]}" "root@$(host_ip "$i")" \
    'systemctl is-system-running --wait' 2>/dev/null || true)
  if [ "$state" != running ]; then
    if [ "$state" = degraded ] && [ "$LAB_ALLOW_DEGRADED" = 1 ]; then
      log "$name: degraded (allowed): $(host_ssh "$i" 'systemctl --failed --no-legend --plain' | awk '{print $1}' | xargs)"
    else
      log "$name: systemd state '${state:-unknown}'; failed units:"
      host_ssh "$i" 'systemctl --failed --no-legend --plain; journalctl -b -p err --no-pager | tail -n 20' >&2 || true
      die "$name did not reach 'running'"
    fi
  fi
  host_bare "$i" && return 0  # no server to answer yet
  local tries=0
  until health_ok "$i"; do
    tries=$((tries + 1))
    # A unit that gave up (start limit hit) will not answer: say so now, not at the deadline.
    if [ "$(date +%s)" -ge "$deadline" ] ||
       { [ $((tries % 10)) -eq 0 ] && host_ssh "$i" 'systemctl is-failed --quiet antmedia'; }; then
      host_ssh "$i" 'systemctl status antmedia --no-pager --lines=0; journalctl -u antmedia --no-pager | tail -n 15' >&2 || true
      die "$name: the stand-in does not answer http://$(host_ip "$i"):$STANDIN_PORT/_lab/health"
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- inventory

write_inventory() {  # write_inventory COUNT [EXTRA_FILE]
  local count=$1 extra=${2:-} i ssh_args
  ssh_args="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
  {
    echo "# Written by lab/hosts.sh up $count: hosts of the lab (group lab)."
    echo "[lab]"
    for i in $(seq 1 "$count"); do echo "$(host_name "$i") ansible_host=$(host_ip "$i")"; done
    echo
    echo "[lab:vars]"
    echo "ansible_user=root"
    echo "ansible_ssh_private_key_file=$KEY"
    echo "ansible_ssh_common_args='$ssh_args'"
    echo "ansible_python_interpreter=/usr/bin/python3"
  } > "$INVENTORY_INI.tmp"
  {
    echo "# Written by lab/hosts.sh up $count: hosts of the lab (group lab)."
    echo "lab:"
    echo "  hosts:"
    for i in $(seq 1 "$count"); do
      echo "    $(host_name "$i"):"
      echo "      ansible_host: $(host_ip "$i")"
    done
    echo "  vars:"
    echo "    ansible_user: root"
    echo "    ansible_ssh_private_key_file: $KEY"
    echo "    ansible_ssh_common_args: '$ssh_args'"
    echo "    ansible_python_interpreter: /usr/bin/python3"
  } > "$INVENTORY_YML.tmp"
  mv "$INVENTORY_INI.tmp" "$INVENTORY_INI"; mv "$INVENTORY_YML.tmp" "$INVENTORY_YML"
  {
    for i in $(seq 1 "$count"); do
      printf 'Host %s %s\n  HostName %s\n' "$(host_name "$i")" "$(host_ip "$i")" "$(host_ip "$i")"
    done
    printf 'Host *\n  User root\n  IdentityFile %s\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  BatchMode yes\n' "$KEY"
  } > "$SSH_CONFIG"
  if [ -n "$extra" ]; then
    mkdir -p "$(dirname "$extra")"
    case "$extra" in *.yml|*.yaml) cp "$INVENTORY_YML" "$extra" ;; *) cp "$INVENTORY_INI" "$extra" ;; esac
  fi
}

# ---------------------------------------------------------------- commands

# Children that outlive this script must not hold our locks.
close_lock_fds() {
  if [ -n "${run_lock:-}" ]; then exec {run_lock}>&-; fi
  if [ -n "${build_lock:-}" ]; then exec {build_lock}>&-; fi
  return 0
}

take_run_lock() {
  mkdir -p "$LAB_RUN"
  exec {run_lock}>"$LAB_RUN/lock"
  flock "$run_lock"
}

cmd_build() {
  require_root; validate_settings
  build_rootfs "${1:-}"
}

cmd_up() {
  local count="" extra="" rootfs i name started deadline
  while [ $# -gt 0 ]; do
    case "$1" in
      --inventory) extra=$2; shift 2 ;;
      --inventory=*) extra=${1#*=}; shift ;;
      *) [ -z "$count" ] || die "up takes one count"; count=$1; shift ;;
    esac
  done
  count=${count:-1}
  [[ $count =~ ^[0-9]+$ ]] && [ "$count" -ge 1 ] || die "up N: N must be a number >= 1"
  [ $((LAB_BASE + count)) -le 254 ] || die "too many hosts for LAB_BASE=$LAB_BASE"
  require_root; validate_settings
  [ -f "$LAB_STANDIN/__main__.py" ] || die "no stand-in package at $LAB_STANDIN (set LAB_STANDIN)"
  ensure_tools
  rootfs=$(build_rootfs)
  ensure_key
  take_run_lock
  started=$(date +%s)
  ensure_bridge
  if [ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]; then
    log "warning: ip_forward is on: the hosts' default route could reach past the test network"
  fi
  # Hosts above N go: the inventory then lists exactly ams1..amsN.
  for name in $(lab_host_names); do
    if [ "${name#"$LAB_NAME"}" -gt "$count" ]; then log "stopping $name (above $count)"; stop_host "$name"; fi
  done
  for i in $(seq 1 "$count"); do
    if host_running "$i"; then
      write_etc_hosts "$(host_dir "$i")/root" "$count"  # it may now have new neighbours
    else
      start_host "$i" "$count" "$rootfs"
    fi
  done
  deadline=$(( $(date +%s) + LAB_BOOT_TIMEOUT ))
  for i in $(seq 1 "$count"); do wait_host "$i" "$deadline"; done
  write_inventory "$count" "$extra"
  log "$count host(s) up in $(( $(date +%s) - started )) s: $(for i in $(seq 1 "$count"); do printf '%s=%s ' "$(host_name "$i")" "$(host_ip "$i")"; done)"
  echo "$INVENTORY_INI"
}

cmd_down() {
  require_root; validate_settings
  take_run_lock
  stop_server
  local name
  for name in $(lab_host_names); do stop_host "$name"; done
  if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then ip link del "$LAB_BRIDGE"; fi
  rm -f "$INVENTORY_INI" "$INVENTORY_YML" "$SSH_CONFIG"
  rmdir "$LAB_RUN/hosts" 2>/dev/null || true
  [ -z "$(lab_host_names)" ] || die "left behind: $(lab_host_names | xargs)"
  log "down: no host, namespace, cgroup or bridge left"
}

cmd_status() {
  validate_settings
  local name i state rootfs
  rootfs=$(rootfs_path)
  if [ -d "$rootfs" ]; then echo "rootfs: $rootfs ($(du -sh --one-file-system "$rootfs" 2>/dev/null | cut -f1))"; else echo "rootfs: $rootfs (not built)"; fi
  if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then echo "bridge: $LAB_BRIDGE $GW_IP/$LAB_MASK"; else echo "bridge: $LAB_BRIDGE absent"; fi
  for name in $(lab_host_names); do
    i=${name#"$LAB_NAME"}
    if host_running "$i"; then
      # shellcheck disable=SC2016  # expanded on the host
      state=$(host_ssh "$i" 'echo "$(systemctl is-system-running) antmedia=$(systemctl is-active antmedia)"' 2>/dev/null || echo "no-ssh")
      if health_ok "$i"; then state="$state health=ok"; else state="$state health=fail"; fi
      if host_bare "$i"; then state="$state bare"; fi
      echo "$name $(host_ip "$i") pid=$(nspawn_pids "$name" | xargs) $state"
    else
      echo "$name $(host_ip "$i") not running (leftovers: run down)"
    fi
  done
  if [ -f "$LAB_RUN/serve.pid" ] && kill -0 "$(cat "$LAB_RUN/serve.pid")" 2>/dev/null; then
    echo "serve: $(cat "$LAB_RUN/serve.url") pid=$(cat "$LAB_RUN/serve.pid")"
  fi
  [ -f "$INVENTORY_INI" ] && echo "inventory: $INVENTORY_INI"
  return 0
}

cmd_ssh() {
  [ $# -ge 1 ] || die "usage: ssh I [CMD...]"
  local i; i=$(host_index "$1"); shift
  if [ $# -eq 0 ]; then exec ssh -t "${SSH_OPTS[@]}" "root@$(host_ip "$i")"; fi
  exec ssh "${SSH_OPTS[@]}" "root@$(host_ip "$i")" "$@"
}

cmd_install_standin() {
  require_root; validate_settings
  take_run_lock
  local name i deadline any=0
  for name in $(lab_host_names); do
    i=${name#"$LAB_NAME"}
    host_running "$i" || continue
    host_bare "$i" && continue
    any=1
    install_standin_files "$(host_dir "$i")/root"
    host_ssh "$i" 'systemctl daemon-reload && systemctl restart antmedia'
  done
  [ "$any" = 1 ] || die "no host is running"
  deadline=$(( $(date +%s) + LAB_BOOT_TIMEOUT ))
  for name in $(lab_host_names); do
    i=${name#"$LAB_NAME"}
    host_running "$i" || continue
    host_bare "$i" && continue
    until health_ok "$i"; do
      [ "$(date +%s)" -lt "$deadline" ] || die "$name: the stand-in does not answer after the restart"
      sleep 0.2
    done
    log "$name: stand-in reinstalled and answering"
  done
}

stop_server() {
  local pid
  [ -f "$LAB_RUN/serve.pid" ] || return 0
  pid=$(cat "$LAB_RUN/serve.pid")
  # Only our own http.server (a recycled PID must not be killed).
  if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'http.server'; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$LAB_RUN/serve.pid" "$LAB_RUN/serve.url"
}

cmd_serve() {
  local dir="" port=$LAB_SERVE_PORT python url
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port=$2; shift 2 ;;
      --port=*) port=${1#*=}; shift ;;
      *) [ -z "$dir" ] || die "serve takes one folder"; dir=$1; shift ;;
    esac
  done
  [ -n "$dir" ] && [ -d "$dir" ] || die "usage: serve DIR [--port P] (DIR must exist)"
  require_root; validate_settings
  dir=$(cd "$dir" && pwd)
  take_run_lock
  ensure_bridge  # the server listens on the bridge address only
  stop_server
  python=/usr/bin/python3; [ -x "$python" ] || python=$(command -v python3)
  url="http://$GW_IP:$port"
  (
    close_lock_fds
    exec setsid "$python" -m http.server "$port" --bind "$GW_IP" --directory "$dir" \
      </dev/null >"$LAB_RUN/serve.log" 2>&1
  ) &
  echo $! > "$LAB_RUN/serve.pid"
  echo "$url" > "$LAB_RUN/serve.url"
  for _ in $(seq 1 50); do
    curl --noproxy '*' -fsS --max-time 1 -o /dev/null "$url/" 2>/dev/null && { log "serving $dir at $url"; echo "$url"; return 0; }
    kill -0 "$(cat "$LAB_RUN/serve.pid")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$LAB_RUN/serve.log" >&2
  die "the file server did not start on $url"
}

cmd_serve_stop() { require_root; take_run_lock; stop_server; }

cmd_config() {
  local v
  for v in LAB_NAME LAB_BRIDGE LAB_SUBNET LAB_MASK LAB_GW LAB_BASE LAB_RUN LAB_CACHE LAB_STANDIN LAB_SERVE_PORT LAB_BARE; do
    printf '%s=%q\n' "$v" "${!v}"
  done
  printf 'ROOTFS=%q\nKEY=%q\nINVENTORY=%q\nINVENTORY_YML=%q\nSSH_CONFIG=%q\n' \
    "$(rootfs_path)" "$KEY" "$INVENTORY_INI" "$INVENTORY_YML" "$SSH_CONFIG"
}

usage() { awk 'NR > 2 && /^#/ {sub(/^# ?/, ""); print; next} NR > 2 {exit}' "${BASH_SOURCE[0]}"; }

main() {
  local cmd=${1:-help}; [ $# -gt 0 ] && shift
  case "$cmd" in
    build) cmd_build "$@" ;;
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    ssh) cmd_ssh "$@" ;;
    install-standin) cmd_install_standin ;;
    serve) cmd_serve "$@" ;;
    serve-stop) cmd_serve_stop ;;
    inventory) [ -f "$INVENTORY_INI" ] || die "no lab is up"; echo "$INVENTORY_INI" ;;
    config) cmd_config ;;
    help|-h|--help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
