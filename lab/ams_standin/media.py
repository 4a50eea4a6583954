"""Recordings that are real, playable files, made cheaply.

One short source clip per container (H.264/AAC in MP4, VP8/Opus in WebM, a keyframe every second) is
encoded once into a cache shared by every server of the process (and by later processes). A finished
recording is cut from it with stream copy, looping the clip when the recording is longer, so a
recording costs a file copy rather than an encode, whatever the number of recordings. Cuts run in a
small worker pool; the caller learns the result through a callback, as AMS adds the VoD only after
its muxer has closed the file."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

SOURCE_SECONDS = 30
# A recording shorter than one frame would have no picture; cut at least this much.
MINIMUM_CUT_SECONDS = 0.04
TEMP_EXTENSION = ".tmp_extension"   # Muxer.TEMP_EXTENSION: the file while it is being written

_ENCODERS = {
    "mp4": ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
            "-c:a", "aac"],
    "webm": ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"],
}


@dataclass
class Recording:
    """One record muxer of a live stream, from start until its file is finished."""
    record_type: str            # mp4 or webm
    path: Path                  # the final file, under webapps/APP/streams/
    relative_path: str          # VoD.filePath: "streams/NAME.mp4"
    resolution: int             # 0: the stream's own resolution, not part of the name
    vod_id: str | None          # set when started over REST; otherwise AMS makes one at the end
    vod_timestamp: int          # Muxer.currentVoDTimeStamp: ms at start, 0 when the name was given
    started_ms: int
    started_monotonic: float
    stream_id: str

    @property
    def temp_path(self) -> Path:
        return self.path.with_name(self.path.name + TEMP_EXTENSION)


class MediaLibrary:
    """The source clips and the cutting pool of one process."""

    def __init__(self, ffmpeg: str, cache_dir: Path, workers: int = 2):
        self.ffmpeg = shutil.which(ffmpeg)
        self.cache_dir = cache_dir
        self._source_locks = {kind: threading.Lock() for kind in _ENCODERS}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cut")
        if self.ffmpeg is None:
            log.error("ffmpeg (%s) not found: recordings cannot produce files, no VoD will be added", ffmpeg)

    @property
    def available(self) -> bool:
        return self.ffmpeg is not None

    def prepare_in_background(self) -> None:
        """Make the source clips now, so the first recording does not wait for an encode."""
        if self.available:
            for kind in _ENCODERS:
                self._pool.submit(self._source, kind)

    def _source(self, kind: str) -> Path:
        path = self.cache_dir / ("source-%ds.%s" % (SOURCE_SECONDS, kind))
        with self._source_locks[kind]:
            if not path.exists():
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(".%s.%d.partial" % (path.name, os.getpid()))
                self._run([
                    "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", str(SOURCE_SECONDS), *_ENCODERS[kind],
                    "-g", "25", "-keyint_min", "25", "-b:v", "200k", "-b:a", "64k", "-ac", "2",
                    "-f", kind, str(partial)])
                os.replace(partial, path)  # another process may race us: both clips are good
        return path

    def _run(self, arguments: list[str]) -> None:
        subprocess.run([self.ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *arguments],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)

    def finish(self, recording: Recording, seconds: float, on_done: Callable[[Recording, float, int], None]) -> None:
        """Write the recording's file (seconds long) in the background, then call
        on_done(recording, seconds, file_size). On failure the recording leaves nothing behind."""
        self._pool.submit(self._cut, recording, max(seconds, MINIMUM_CUT_SECONDS), on_done)

    def _cut(self, recording: Recording, seconds: float, on_done: Callable[[Recording, float, int], None]) -> None:
        try:
            if not self.available:
                raise RuntimeError("no ffmpeg")
            source = self._source(recording.record_type)
            loop = ["-stream_loop", "-1"] if seconds > SOURCE_SECONDS else []
            self._run([*loop, "-i", str(source), "-t", "%.3f" % seconds, "-c", "copy",
                       "-f", recording.record_type, str(recording.temp_path)])
            os.replace(recording.temp_path, recording.path)
        except (OSError, RuntimeError, subprocess.SubprocessError) as error:
            detail = getattr(error, "stderr", b"") or b""
            log.error("recording %s failed: %s %s", recording.path, error, detail.decode(errors="replace"))
            recording.temp_path.unlink(missing_ok=True)
            return
        try:
            on_done(recording, seconds, recording.path.stat().st_size)
        except Exception:  # the pool would swallow it silently
            log.exception("adding the VoD of %s failed", recording.path)
