"""Persistence (JSON documents written atomically by one background writer) and the record shapes
AMS serialises: broadcasts (datastore/db/types/Broadcast.java) and VoDs (VoD.java)."""

from __future__ import annotations

import copy
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

log = logging.getLogger(__name__)

# DataStore.MAX_ITEM_IN_ONE_LIST: a list call never returns more, whatever size says.
MAX_ITEMS_IN_ONE_LIST = 250

STATUS_CREATED = "created"
STATUS_BROADCASTING = "broadcasting"
STATUS_FINISHED = "finished"
STATUS_PREPARING = "preparing"
STATUS_TERMINATED_UNEXPECTEDLY = "terminated_unexpectedly"

# AntMediaApplicationAdapter.STREAM_TIMEOUT_MS (2 * MuxAdaptor.STAT_UPDATE_PERIOD_MS): a live stream
# whose broadcast was not updated for this long reads as terminated_unexpectedly.
STREAM_TIMEOUT_MS = 20_000
STAT_UPDATE_PERIOD_MS = 10_000   # how often a live stream's muxer updates its broadcast

RECORD_ENABLED = 1     # mp4Enabled / webMEnabled per-stream values
RECORD_DISABLED = -1


def new_broadcast(**fields: Any) -> dict:
    """A broadcast with every field Jackson writes, at the Java defaults, in declaration order.
    `subTrackStreamIds` is the AMS 2.x participant list the contract relies on (3.0 derives it from
    the subtracks' mainTrackStreamId, which is kept as well)."""
    broadcast = {
        "streamId": None, "status": None, "playListStatus": None, "type": "liveStream", "publishType": None,
        "name": None, "description": None, "publish": True, "date": 0, "plannedStartDate": 0,
        "plannedEndDate": 0, "duration": 0, "endPointList": None, "playListItemList": None,
        "publicStream": True, "is360": False, "listenerHookURL": None, "category": None, "ipAddr": None,
        "username": None, "password": None, "quality": None, "speed": 0.0, "streamUrl": None,
        "originAdress": None, "mp4Enabled": 0, "webMEnabled": 0, "seekTimeInMs": 0, "subtracksLimit": -1,
        "expireDurationMS": 0, "rtmpURL": None, "zombi": False, "pendingPacketSize": 0,
        "hlsViewerCount": 0, "dashViewerCount": 0, "webRTCViewerCount": 0, "rtmpViewerCount": 0,
        "startTime": 0, "receivedBytes": 0, "bitrate": 0, "width": 0, "height": 0, "encoderQueueSize": 0,
        "dropPacketCountInIngestion": 0, "dropFrameCountInEncoding": 0, "packetLostRatio": 0.0,
        "packetsLost": 0, "jitterMs": 0, "rttMs": 0, "userAgent": "N/A", "remoteIp": None, "latitude": None,
        "longitude": None, "altitude": None, "mainTrackStreamId": None, "subTrackStreamIds": [],
        "absoluteStartTimeMs": 0, "webRTCViewerLimit": -1, "hlsViewerLimit": -1, "dashViewerLimit": -1,
        "subFolder": None, "currentPlayIndex": 0, "metaData": None, "playlistLoopEnabled": True,
        "updateTime": 0, "role": None, "hlsParameters": None, "autoStartStopEnabled": False,
        "encoderSettingsList": None, "virtual": False, "maxIdleTime": 0,
    }
    broadcast.update(fields)
    return broadcast


def effective_status(broadcast: dict, now_ms: int | None = None) -> str | None:
    """Broadcast.getStatus(): a broadcasting (or preparing) stream that is not virtual and was not
    updated within STREAM_TIMEOUT_MS is terminated_unexpectedly; the stored status is left as it is."""
    status = broadcast.get("status")
    if broadcast.get("virtual") or status not in (STATUS_BROADCASTING, STATUS_PREPARING):
        return status
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if now_ms - (broadcast.get("updateTime") or 0) < STREAM_TIMEOUT_MS:
        return status
    return STATUS_TERMINATED_UNEXPECTEDLY


def broadcast_json(broadcast: dict, version: tuple[int, int, int] = (2, 17, 1)) -> dict:
    """What GET answers: the stored fields with the status as Broadcast.getStatus() reads it, plus
    Jackson's computed `anyoneWatching` property. The server version shapes it: 2.10.0-2.17.1 write
    `conferenceMode` (null here), every 2.x writes `subTrackStreamIds`; 3.x writes neither (the stand-in
    keeps the list internally, to answer the subtrack endpoints and the 2.x shape alike)."""
    watching = any(broadcast.get(key) for key in ("hlsViewerCount", "dashViewerCount", "webRTCViewerCount",
                                                  "rtmpViewerCount"))
    shown = {**broadcast, "status": effective_status(broadcast), "anyoneWatching": watching}
    conference_mode = shown.pop("conferenceMode", None)
    if version >= (3, 0, 0):
        shown.pop("subTrackStreamIds", None)
    elif version >= (2, 10, 0):
        shown["conferenceMode"] = conference_mode
    return shown


def new_vod(**fields: Any) -> dict:
    """A VoD with every field Jackson writes; `new_vod()` alone is what GET answers for a missing id."""
    vod = {
        "streamName": None, "vodName": None, "streamId": None, "creationDate": 0, "startTime": 0,
        "duration": 0, "fileSize": 0, "filePath": None, "vodId": None, "type": None, "previewFilePath": None,
        "processStatus": None, "processStartTime": 0, "processEndTime": 0, "description": None,
        "metadata": None, "latitude": None, "longitude": None, "altitude": None,
    }
    vod.update(fields)
    return vod


def sort_and_crop(items: list[dict], offset: int, size: int, sort_key: Callable[[dict], Any] | None,
                  descending: bool) -> list[dict]:
    """DataStore.sortAndCrop*List: optional sort, size capped at MAX_ITEMS_IN_ONE_LIST, then a slice."""
    if sort_key is not None:
        items = sorted(items, key=sort_key, reverse=descending)
    size = min(size, MAX_ITEMS_IN_ONE_LIST)
    offset = max(offset, 0)
    end = min(offset + size, len(items))
    return items[offset:end] if offset < end else []


def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file next to the target, then rename over it: readers (and a process
    killed mid-write) see the old or the new content, never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(".%s.%d.%d.tmp" % (path.name, os.getpid(), threading.get_ident()))
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class Persister:
    """The one background writer of every document in the process. A change marks its document
    dirty; the writer saves dirty documents as soon as it can, so a burst of changes costs one write
    per document instead of one per change (1000 creates must not rewrite a file 1000 times)."""

    def __init__(self):
        self._dirty: dict[int, Document] = {}
        self._writing = False
        self._condition = threading.Condition()
        threading.Thread(target=self._run, name="persister", daemon=True).start()

    def mark_dirty(self, document: "Document") -> None:
        with self._condition:
            self._dirty[id(document)] = document
            self._condition.notify_all()

    def flush(self) -> None:
        """Save every pending change and return once it is on disk (before the process exits)."""
        with self._condition:
            pending = list(self._dirty.values())
            self._dirty.clear()
        for document in pending:
            document.write()
        with self._condition:
            while self._writing:
                self._condition.wait()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._dirty:
                    self._condition.wait()
                pending = list(self._dirty.values())
                self._dirty.clear()
                self._writing = True
            for document in pending:
                try:
                    document.write()
                except OSError:
                    log.exception("cannot save %s", document.path)
            with self._condition:
                self._writing = False
                self._condition.notify_all()


PERSISTER = Persister()


class Document:
    """A JSON document on disk with an in-memory value; every change is saved by PERSISTER."""

    def __init__(self, path: Path, default: Callable[[], Any]):
        self.path = path
        self.lock = threading.RLock()
        self._write_lock = threading.Lock()  # two writers of one file must not interleave
        self.value = self._load(default)

    def _load(self, default: Callable[[], Any]) -> Any:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default()
        except ValueError:
            log.error("%s is damaged; starting from an empty one", self.path)
            return default()

    def changed(self) -> None:
        PERSISTER.mark_dirty(self)

    def write(self) -> None:
        with self._write_lock:
            with self.lock:
                text = json.dumps(self.value, indent=1)
            atomic_write(self.path, text)


class Collection(Document):
    """Records keyed by id, in insertion order (the order AMS's map-based store lists them in).
    Readers get deep copies: a record only changes through put/update/delete, which save it."""

    def __init__(self, path: Path, key: str):
        self.key = key
        super().__init__(path, list)
        self._records: dict[str, dict] = {record[key]: record for record in self.value}

    def write(self) -> None:
        with self.lock:
            self.value = list(self._records.values())
        super().write()

    def get(self, record_id: str | None) -> dict | None:
        with self.lock:
            record = self._records.get(record_id)
            return copy.deepcopy(record) if record is not None else None

    def all(self) -> list[dict]:
        with self.lock:
            return copy.deepcopy(list(self._records.values()))

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, record_id: str) -> bool:
        return record_id in self._records

    def put(self, record: dict) -> None:
        with self.lock:
            self._records[record[self.key]] = copy.deepcopy(record)
        self.changed()

    def update(self, record_id: str, **fields: Any) -> bool:
        with self.lock:
            record = self._records.get(record_id)
            if record is None:
                return False
            record.update(copy.deepcopy(fields))
        self.changed()
        return True

    def delete(self, record_id: str) -> bool:
        with self.lock:
            removed = self._records.pop(record_id, None) is not None
        if removed:
            self.changed()
        return removed
