#!/usr/bin/env python3
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the antmedia_server role's downtime against the size of the recordings (benchmarks/README.md).

The role's downtime is stop -> swap -> start -> ready; the server's stop and start do not depend on the recordings,
the swap (roles/antmedia_server/files/antmedia_release.py swap, run while the server is stopped) might. This times
the swap of a release-shaped install (tests/roles/artifacts.py's 2.17.1 -> 3.0.3 zips) whose apps hold SMALL_MB and
LARGE_MB of recordings, REPEAT times each, and, for comparison, a copy of the same streams/ (what the role did
before: copied while the server was stopped). The unpack (prepare) runs before the stop and is reported apart.
Usage: python3 benchmarks/server_swap.py [--small-mb 1] [--large-mb 2048] [--repeat 5] [--dir /var/tmp]"""

import argparse
import grp
import importlib.util
import json
import os
import pwd
import shutil
import statistics
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "roles"))
import artifacts  # noqa: E402  (the test release maker)

spec = importlib.util.spec_from_file_location(
    "antmedia_release", os.path.join(REPO, "roles", "antmedia_server", "files", "antmedia_release.py"))
release = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release)
USER, GROUP = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
KEEP = json.dumps(["webapps/*/WEB-INF/red5-web.properties", "*.db", "conf/red5.properties", "conf/jee-container.xml"])
MOVE = json.dumps(["webapps/*/streams"])


def install(base, zips, megabytes):
    """A 2.17.1 install whose LiveApp holds `megabytes` of recordings in 8 MB files."""
    dest = os.path.join(base, "antmedia")
    stage = release.prepare(zips["2.17.1"], os.path.join(base, "stage-old"), "2.17.1", USER, GROUP)["stage"]
    release.swap(stage, dest, os.path.join(base, "unused"), USER, GROUP, KEEP, MOVE)
    streams = os.path.join(dest, "webapps", "LiveApp", "streams")
    os.makedirs(streams, exist_ok=True)
    block = os.urandom(1 << 20)
    for index in range(max(1, megabytes // 8)):
        with open(os.path.join(streams, "room-%04d.mp4" % index), "wb") as handle:
            for _ in range(min(8, megabytes) or 1):
                handle.write(block)
    os.sync()
    return dest


def one_run(root, zips, megabytes):
    base = tempfile.mkdtemp(dir=root)
    try:
        dest = install(base, zips, megabytes)
        started = time.perf_counter()
        stage = release.prepare(zips["3.0.3"], os.path.join(base, "stage"), "3.0.3", USER, GROUP)["stage"]
        prepared = time.perf_counter()
        release.swap(stage, dest, os.path.join(base, "antmedia-backup"), USER, GROUP, KEEP, MOVE)
        swapped = time.perf_counter()
        copy_from = os.path.join(dest, "webapps", "LiveApp", "streams")
        copy_started = time.perf_counter()
        shutil.copytree(copy_from, os.path.join(base, "copied-streams"))
        os.sync()
        copied = time.perf_counter()
        return prepared - started, swapped - prepared, copied - copy_started
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-mb", type=int, default=1)
    parser.add_argument("--large-mb", type=int, default=2048)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", default="/var/tmp")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as root:
        zips = {}
        for version in ("2.17.1", "3.0.3"):
            zips[version] = os.path.join(root, "ams-%s.zip" % version)
            with open(zips[version], "wb") as handle:
                handle.write(artifacts.release_bytes(version))
        print("recordings  unpack before the stop (median)  swap while stopped (median, max)  copy instead (median)")
        for megabytes in (args.small_mb, args.large_mb):
            runs = [one_run(root, zips, megabytes) for _ in range(args.repeat)]
            prepare, swap, copy = zip(*runs)
            print("%7d MB  %10.3f s  %22.4f s, %.4f s  %21.3f s" % (
                megabytes, statistics.median(prepare), statistics.median(swap), max(swap), statistics.median(copy)))


if __name__ == "__main__":
    main()
