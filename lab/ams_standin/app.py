"""One application of a server (`webapps/APP`): its settings, broadcasts, VoDs, live streams and
recordings, with the state changes AMS makes when streams start and end."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import webhooks
from .media import TEMP_EXTENSION, Recording
from .settings import new_app_settings, random_alphanumeric
from .store import (RECORD_DISABLED, RECORD_ENABLED, STAT_UPDATE_PERIOD_MS, STATUS_BROADCASTING, STATUS_CREATED,
                    STATUS_FINISHED, STATUS_PREPARING, Collection, Document, effective_status, new_broadcast, new_vod,
                    sort_and_crop)
from .versions import lists_subtracks_in_broadcast, put_replaces_whole_broadcast
from .web import HttpError, error_page, result

if TYPE_CHECKING:
    from .mediapush import MediaPushPlugin
    from .node import AmsNode

RECORD_TYPES = ("mp4", "webm")
RECORD_FIELDS = {"mp4": "mp4Enabled", "webm": "webMEnabled"}
APP_DEFAULT_SETTINGS = {"mp4": "mp4MuxingEnabled", "webm": "webMMuxingEnabled"}
VIEWER_COUNTS = {"hlsViewerCount": 0, "dashViewerCount": 0, "webRTCViewerCount": 0, "rtmpViewerCount": 0}

# RestServiceBase.REPLACE_CHARS is the character class [\n|\r|\t]: '|' is replaced too.
_REPLACE_CHARS = re.compile(r"[\n|\r\t]")
_INVALID_STREAM_ID = re.compile(r"[^a-z0-9\-_.]", re.IGNORECASE)   # StreamIdValidator

# PUT /v2/broadcasts/{id}, DataStore.updateStreamInfo at ams-v2.17.1: the fields a BroadcastUpdate sets
# when they are not null (3.0.1: the same without subTrackStreamIds and conferenceMode).
_PUT_FIELDS = frozenset((
    "absoluteStartTimeMs", "altitude", "autoStartStopEnabled", "bitrate", "conferenceMode", "currentPlayIndex",
    "dashViewerCount", "dashViewerLimit", "description", "dropFrameCountInEncoding", "dropPacketCountInIngestion",
    "duration", "encoderQueueSize", "encoderSettingsList", "endPointList", "height", "hlsViewerCount",
    "hlsViewerLimit", "ipAddr", "jitterMs", "latitude", "listenerHookURL", "longitude", "mainTrackStreamId",
    "maxIdleTime", "metaData", "name", "originAdress", "packetLostRatio", "packetsLost", "password",
    "pendingPacketSize", "plannedEndDate", "plannedStartDate", "playListItemList", "playListStatus",
    "playlistLoopEnabled", "quality", "receivedBytes", "remoteIp", "role", "rttMs", "seekTimeInMs", "speed",
    "startTime", "status", "streamUrl", "subFolder", "subTrackStreamIds", "subtracksLimit", "updateTime",
    "userAgent", "username", "virtual", "webRTCViewerCount", "webRTCViewerLimit", "width"))
_PUT_FIELDS_3 = _PUT_FIELDS - {"subTrackStreamIds", "conferenceMode"}
# ams-v2.8.0-2.10.0 updateStreamInfo: fields copied when not null (or, for these primitives, not 0; conferenceMode
# and encoderSettingsList from 2.10.0)...
_OLD_PUT_IF_SET = {
    "name": None, "description": None, "username": None, "password": None, "ipAddr": None, "streamUrl": None,
    "latitude": None, "longitude": None, "altitude": None, "mainTrackStreamId": None, "startTime": 0,
    "originAdress": None, "status": None, "absoluteStartTimeMs": 0, "updateTime": 0, "playListItemList": None,
    "playListStatus": None, "endPointList": None, "subFolder": None, "listenerHookURL": None, "speed": 0,
    "metaData": None, "conferenceMode": None, "encoderSettingsList": None}
# ... and fields always copied, from the body or at the Java default of a new Broadcast (2.9.0 added three).
_OLD_PUT_ALWAYS_2_8 = {
    "currentPlayIndex": 0, "receivedBytes": 0, "duration": 0, "bitrate": 0, "userAgent": "N/A",
    "webRTCViewerLimit": -1, "hlsViewerLimit": -1, "dashViewerCount": 0, "subTrackStreamIds": [],
    "playlistLoopEnabled": True}
_OLD_PUT_ALWAYS_2_9 = {**_OLD_PUT_ALWAYS_2_8, "plannedStartDate": 0, "seekTimeInMs": 0, "autoStartStopEnabled": False}


def now_ms() -> int:
    return int(time.time() * 1000)


def sanitize_file_name(file_name: str | None, record_type: str) -> str | None:
    """RestServiceBase.sanitizeAndStripExtension: no line breaks, tabs or slashes, the record type's
    extension dropped, at most 120 characters."""
    if file_name is None:
        return None
    safe = re.sub(r"[\n\r]", "_", file_name)
    safe = re.sub(r"[\\/]+", "_", safe)
    safe = re.sub(r"\r|\n|\t", "_", safe)
    extension = "." + record_type
    if safe.lower().endswith(extension):
        safe = safe[:-len(extension)]
    return safe[:120]


@dataclass
class LiveStream:
    """A stream being published to this server (AMS's MuxAdaptor)."""
    stream_id: str
    width: int
    height: int
    recordings: dict[str, Recording] = field(default_factory=dict)
    stalled: bool = False       # the publisher hangs: its broadcast is no longer updated
    updated_ms: int = 0         # when refresh_live last renewed the broadcast's updateTime
    pushed_at: float | None = None  # time.monotonic() when a media push published it (None: not a push)
    parameters: dict = field(default_factory=dict)  # the publish URL's query (from 2.15 merged into its hooks)

    def preparing(self, window: float) -> bool:
        """A pushed stream's muxer is being prepared for `window` s after the push started."""
        return self.pushed_at is not None and time.monotonic() - self.pushed_at < window

    def is_recording(self, record_type: str, resolution: int) -> bool:
        """MuxAdaptor.isAlreadyRecording."""
        return record_type in self.recordings and resolution in (0, self.height)


class Application:
    def __init__(self, node: "AmsNode", name: str):
        self.node = node
        self.name = name
        self.webapp_dir = node.root / "webapps" / name
        self.streams_dir = self.webapp_dir / "streams"
        data_dir = node.root / "data" / name
        self.settings_document = Document(data_dir / "settings.json", lambda: new_app_settings(name))
        self.broadcasts = Collection(data_dir / "broadcasts.json", "streamId")
        self.vods = Collection(data_dir / "vods.json", "vodId")
        self.lock = threading.RLock()
        self.live: dict[str, LiveStream] = {}
        self.media_push: MediaPushPlugin | None = None
        self.streams_dir.mkdir(parents=True, exist_ok=True)
        self.settings_document.changed()  # a new application's settings exist on disk from the start

    # ---- settings ---------------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        return self.settings_document.value

    def replace_settings(self, settings: dict) -> None:
        with self.settings_document.lock:
            self.settings_document.value = settings
        self.settings_document.changed()

    # ---- start-up -------------------------------------------------------------------------
    def start(self) -> None:
        """What a (re)starting server does to this application: every live stream, session and
        recording in progress is gone (their files too), then resetBroadcasts."""
        with self.lock:
            self.live.clear()
            for leftover in self.streams_dir.rglob("*" + TEMP_EXTENSION):
                leftover.unlink(missing_ok=True)
            host = self.node.host_address
            for broadcast in self.broadcasts.all():
                if broadcast["originAdress"] not in (None, "", host):
                    continue  # another cluster node's stream
                if broadcast["zombi"]:
                    self.broadcasts.delete(broadcast["streamId"])
                else:
                    self.broadcasts.update(broadcast["streamId"], status=STATUS_FINISHED, **VIEWER_COUNTS)

    # ---- broadcasts -----------------------------------------------------------------------
    def _save_new_broadcast(self, broadcast: dict, status: str | None) -> dict:
        """RestServiceBase.saveBroadcast + DataStore.saveBroadcast."""
        if status:
            broadcast["status"] = status
        broadcast["date"] = now_ms()
        server_name = self.node.server_settings.get("serverName") or self.node.host_address
        broadcast["originAdress"] = self.node.host_address
        if not broadcast.get("streamId"):
            broadcast["streamId"] = random_alphanumeric(16) + str(time.monotonic_ns())
        broadcast["rtmpURL"] = "rtmp://%s/%s/%s" % (server_name, self.name, broadcast["streamId"])
        if broadcast.get("status") is None:
            broadcast["status"] = STATUS_CREATED
        webhooks.frozen_hook_url(self, broadcast)
        self.broadcasts.put(broadcast)
        return broadcast

    def create_broadcast(self, body: dict | None) -> tuple[int, dict]:
        """POST /v2/broadcasts/create: (HTTP status, body)."""
        fields = {key: value for key, value in (body or {}).items() if key in new_broadcast()}
        with self.lock:
            stream_id = fields.get("streamId")
            if stream_id is not None:
                stream_id = fields["streamId"] = str(stream_id).strip()
                if stream_id and stream_id in self.broadcasts:
                    return 400, result(False, "Stream id is already being used. Please change stream id or keep it empty")
                if stream_id and _INVALID_STREAM_ID.search(stream_id):
                    return 400, result(False, "Stream id is not valid.")
            if fields.get("subFolder") and ".." in fields["subFolder"]:
                return 400, result(False, "Subfolder is not valid. ")
            return 200, self._save_new_broadcast(new_broadcast(**fields), STATUS_CREATED)

    def list_broadcasts(self, offset: int, size: int, type_by: str | None, sort_by: str | None,
                        order_by: str | None, search: str | None) -> list[dict]:
        broadcasts = self.broadcasts.all()
        if type_by:
            broadcasts = [broadcast for broadcast in broadcasts if broadcast["type"] == type_by]
        broadcasts = self.search_broadcasts(broadcasts, search)
        sort_key = None
        if sort_by in ("name", "date", "status") and order_by is not None:
            if sort_by == "name" and any(broadcast["name"] is None for broadcast in broadcasts):
                # DataStore sorts on getName().toLowerCase(): a broadcast without a name (every zombi
                # broadcast) makes the call fail.
                raise HttpError(error_page(500, "Cannot invoke \"String.toLowerCase()\" because the return "
                                                "value of \"Broadcast.getName()\" is null"))
            sort_key = {"name": lambda broadcast: broadcast["name"].lower(),
                        "date": lambda broadcast: broadcast["date"],
                        "status": lambda broadcast: broadcast["status"] or ""}[sort_by]
        return sort_and_crop(broadcasts, offset, size, sort_key, order_by == "desc")

    @staticmethod
    def search_broadcasts(broadcasts: list[dict], search: str | None) -> list[dict]:
        """DataStore.searchOnServer: the text in the name or the stream id, ignoring case."""
        if not search:
            return broadcasts
        needle = _REPLACE_CHARS.sub("_", search).lower()
        return [broadcast for broadcast in broadcasts
                if needle in broadcast["streamId"].lower() or needle in (broadcast["name"] or "").lower()]

    def active_broadcast_count(self) -> int:
        now = now_ms()
        return sum(effective_status(broadcast, now) == STATUS_BROADCASTING for broadcast in self.broadcasts.all())

    def refresh_live(self) -> None:
        """MuxAdaptor's periodic stats update: every live stream whose publisher still sends has its
        broadcast's updateTime renewed (at most every STAT_UPDATE_PERIOD_MS). Done lazily, before each
        REST request of the application, so no thread runs per stream."""
        now = now_ms()
        with self.lock:
            for stream_id, live in self.live.items():
                if not live.stalled and now - live.updated_ms >= STAT_UPDATE_PERIOD_MS:
                    live.updated_ms = now
                    self.broadcasts.update(stream_id, updateTime=now)

    def stall_stream(self, stream_id: str, seconds_ago: float) -> bool:
        """The publisher hangs without closing its connection: its broadcast stops being updated
        (last update seconds_ago), so after STREAM_TIMEOUT_MS it reads terminated_unexpectedly."""
        with self.lock:
            live = self.live.get(stream_id)
            if live is None:
                return False
            live.stalled = True
            self.broadcasts.update(stream_id, updateTime=now_ms() - int(seconds_ago * 1000))
            return True

    def subtracks(self, main_track_id: str, offset: int, size: int, role: str | None, active_only: bool) -> list[dict]:
        tracks = [broadcast for broadcast in self.broadcasts.all()
                  if broadcast["mainTrackStreamId"] == main_track_id
                  and (not role or broadcast["role"] == role)
                  and (not active_only or effective_status(broadcast) == STATUS_BROADCASTING)]
        if active_only:  # getActiveSubtracks pages without the list cap
            return tracks[max(offset, 0):max(offset, 0) + max(size, 0)]
        return sort_and_crop(tracks, offset, size, None, False)

    def stop_broadcast(self, stream_id: str, stop_subtracks: bool) -> dict:
        """POST /v2/broadcasts/{id}/stop: closes the publisher's connection, so the stream ends."""
        with self.lock:
            broadcast = self.broadcasts.get(stream_id)
            if broadcast is None:
                return result(False)
            stopped = broadcast["type"] == "liveStream" and (self.end_stream(stream_id) or self._end_stale(broadcast))
            if stop_subtracks:
                for track in self.subtracks(stream_id, 0, len(self.broadcasts), None, active_only=True):
                    stopped = self.end_stream(track["streamId"]) or stopped
            return result(stopped)

    def _end_stale(self, broadcast: dict) -> bool:
        """A broadcast of this node still marked live with no stream behind it here (e.g. a media push
        whose browser died: terminated_unexpectedly): the stop closes it (contract, "A stale push must
        not be stopped through the plugin"). A virtual room main track is left to its participants."""
        if broadcast["virtual"] or broadcast["status"] not in (STATUS_BROADCASTING, STATUS_PREPARING):
            return False
        if broadcast["originAdress"] not in (None, "", self.node.host_address):
            return False
        self._close_broadcast(broadcast)
        return True

    def create_stale_push(self, stream_id: str, seconds_ago: float) -> bool:
        """A media push of stream_id that this node drove and left behind: the broadcast (a zombi one,
        or the one created beforehand) is broadcasting, last updated seconds_ago (from 20 s on it reads
        terminated_unexpectedly), its metaData names this node as the driver, and there is neither a
        stream nor a plugin session here. False if the id is live here."""
        with self.lock:
            if stream_id in self.live:
                return False
            since = now_ms() - int(seconds_ago * 1000)
            fields = dict(status=STATUS_BROADCASTING, startTime=since, updateTime=since, publishType="WebRTC",
                          width=1280, height=720, originAdress=self.node.host_address,
                          metaData=json.dumps({"driverIp": self.node.host_address}, separators=(",", ":")))
            if not self.broadcasts.update(stream_id, **fields):
                self._save_new_broadcast(new_broadcast(streamId=stream_id, zombi=True, **fields), STATUS_BROADCASTING)
            if self.media_push is not None:
                self.media_push.stream_finished(stream_id)   # no session survives
            return True

    def update_broadcast(self, stream_id: str, body: dict | None) -> dict:
        """PUT /v2/broadcasts/{id} (BroadcastRestService.updateBroadcast, DataStore.updateStreamInfo).
        From 2.10.1 the body is a BroadcastUpdate: only the fields it sets (non-null) change. Up to
        2.10.0 it is a whole Broadcast: its null fields are skipped, but some fields are always copied,
        so a partial body resets them to the Java defaults (subTrackStreamIds to [], duration to 0,
        viewer limits to -1...)."""
        if body is None:
            return result(False)
        version = self.node.options.version
        with self.lock:
            if stream_id not in self.broadcasts:
                return result(False, "Broadcast with streamId: %s does not exist" % _REPLACE_CHARS.sub("_", stream_id))
            if put_replaces_whole_broadcast(version):
                changes = {key: value for key, value in body.items()
                           if key in _OLD_PUT_IF_SET and value is not None and value != _OLD_PUT_IF_SET[key]}
                if not changes.get("listenerHookURL", "x"):
                    changes.pop("listenerHookURL")
                always = _OLD_PUT_ALWAYS_2_9 if version >= (2, 9, 0) else _OLD_PUT_ALWAYS_2_8
                changes.update({key: body.get(key, default) if body.get(key) is not None else default
                                for key, default in always.items()})
                if version < (2, 10, 0):
                    changes.pop("conferenceMode", None)
                    changes.pop("encoderSettingsList", None)
            else:
                allowed = _PUT_FIELDS if lists_subtracks_in_broadcast(version) else _PUT_FIELDS_3
                changes = {key: value for key, value in body.items() if key in allowed and value is not None}
                if changes.get("listenerHookURL") == "":
                    changes.pop("listenerHookURL")
            return result(self.broadcasts.update(stream_id, **changes))

    def delete_broadcast(self, stream_id: str, delete_subtracks: bool) -> dict:
        """DELETE /v2/broadcasts/{id}: stop it if live, delete it (and, by default, its subtracks)."""
        with self.lock:
            broadcast = self.broadcasts.get(stream_id)
            if broadcast is None:
                return result(False)
            # The record goes first: the stream's end (and its recordings' VoDs) no longer find it, as
            # on AMS where the connection closes asynchronously after the delete.
            self.broadcasts.delete(stream_id)
            stopped = broadcast["type"] == "liveStream" and self.end_stream(stream_id)
            if delete_subtracks:
                for track in self.subtracks(stream_id, 0, len(self.broadcasts), None, active_only=False):
                    self.broadcasts.delete(track["streamId"])
            return result(True, "broadcast is deleted and stopped successfully" if stopped
                          else "broadcast is deleted but could not stopped ")

    # ---- streams --------------------------------------------------------------------------
    def start_stream(self, stream_id: str, *, width: int = 1280, height: int = 720, meta_data: str | None = None,
                     main_track: str | None = None, origin: str | None = None,
                     publish_type: str = "WebRTC", pushed: bool = False,
                     parameters: dict | None = None) -> LiveStream | None:
        """A publisher starts streaming: the broadcast (a zombi one if none was created) becomes
        broadcasting and the recordings the settings ask for start. None if the id is already live."""
        with self.lock:
            if stream_id in self.live:
                return None
            now = now_ms()
            broadcast = self.broadcasts.get(stream_id)
            if broadcast is None:
                broadcast = self._save_new_broadcast(new_broadcast(
                    streamId=stream_id, startTime=now, updateTime=now, zombi=True, metaData=meta_data,
                    mainTrackStreamId=main_track, publishType=publish_type), STATUS_BROADCASTING)
            else:
                changes = dict(status=STATUS_BROADCASTING, startTime=now, updateTime=now, publishType=publish_type,
                               originAdress=self.node.host_address, absoluteStartTimeMs=0, **VIEWER_COUNTS)
                if meta_data:
                    changes["metaData"] = meta_data
                if main_track:
                    changes["mainTrackStreamId"] = main_track
                self.broadcasts.update(stream_id, **changes)
            self.broadcasts.update(stream_id, width=width, height=height,
                                   **({"originAdress": origin} if origin else {}))
            live = self.live[stream_id] = LiveStream(stream_id, width, height,
                                                     pushed_at=time.monotonic() if pushed else None,
                                                     parameters=dict(parameters or {}))
            if main_track:
                self._join_main_track(stream_id, main_track)
            webhooks.stream_started(self, stream_id, main_track, live.parameters)
            if origin and origin != self.node.host_address:
                return live  # its muxers run on the other node
            # MuxAdaptor.init: the application default, overridden by the stream's own setting.
            broadcast = self.broadcasts.get(stream_id)
            for record_type in RECORD_TYPES:
                per_stream = broadcast[RECORD_FIELDS[record_type]]
                if per_stream == RECORD_ENABLED or (per_stream != RECORD_DISABLED
                                                    and self.settings.get(APP_DEFAULT_SETTINGS[record_type])):
                    self._start_recording(live, record_type, 0, None, None)
                    self.broadcasts.update(stream_id, **{RECORD_FIELDS[record_type]: RECORD_ENABLED})
            return live

    def end_stream(self, stream_id: str) -> bool:
        """The publisher is gone: recordings are finished into VoDs, then the broadcast is closed
        (a zombi one deleted, any other one finished). False if the stream was not live."""
        with self.lock:
            live = self.live.pop(stream_id, None)
            if live is None:
                return False
            broadcast = self.broadcasts.get(stream_id)
            for recording in live.recordings.values():
                self._finish_recording(recording, broadcast)
            if broadcast is not None:
                self._close_broadcast(broadcast)
            webhooks.stream_ended(self, broadcast, stream_id, live.parameters)
            if self.media_push is not None:
                self.media_push.stream_finished(stream_id)
            return True

    def _close_broadcast(self, broadcast: dict) -> None:
        """AntMediaApplicationAdapter.closeBroadcast."""
        stream_id = broadcast["streamId"]
        if broadcast["zombi"]:
            self.broadcasts.delete(stream_id)
        else:
            self.broadcasts.update(stream_id, status=STATUS_FINISHED, updateTime=now_ms(), **VIEWER_COUNTS)
        if broadcast["mainTrackStreamId"]:
            self._leave_main_track(stream_id, broadcast["mainTrackStreamId"])

    def _join_main_track(self, stream_id: str, room: str) -> None:
        """MuxAdaptor.registerToMainTrackIfExists: a room's main track is created (zombi, virtual,
        broadcasting) by its first participant; each participant is listed in subTrackStreamIds."""
        main = self.broadcasts.get(room)
        if main is None:
            self.broadcasts.put(new_broadcast(streamId=room, status=STATUS_BROADCASTING, zombi=True, virtual=True,
                                              startTime=now_ms(), subTrackStreamIds=[stream_id]))
        elif stream_id not in main["subTrackStreamIds"]:
            self.broadcasts.update(room, subTrackStreamIds=main["subTrackStreamIds"] + [stream_id])

    def _leave_main_track(self, stream_id: str, room: str) -> None:
        """updateMainTrackWithRecentlyFinishedBroadcast: with no active participant left the room is
        deleted if it is a zombi, finished otherwise."""
        main = self.broadcasts.get(room)
        if main is None:
            return
        participants = [track for track in main["subTrackStreamIds"] if track != stream_id]
        self.broadcasts.update(room, subTrackStreamIds=participants)
        if not self.subtracks(room, 0, len(self.broadcasts), None, active_only=True):
            if main["zombi"]:
                self.broadcasts.delete(room)
            else:
                self.broadcasts.update(room, status=STATUS_FINISHED)

    # ---- recording ------------------------------------------------------------------------
    def set_recording(self, stream_id: str, enable: bool, record_type: str, resolution: int,
                      file_name: str | None) -> dict:
        """PUT /v2/broadcasts/{id}/recording/{true|false} (RestServiceBase.enableRecordMuxing)."""
        stream_id = _REPLACE_CHARS.sub("_", stream_id)
        resolution = max(resolution, 0)
        if record_type not in RECORD_TYPES:
            return result(False, "No stream for this id: %s or unexpected record type. Record type is null" % stream_id,
                          None)
        record_field = RECORD_FIELDS[record_type]
        state = "started" if enable else "stopped"
        with self.lock:
            broadcast = self.broadcasts.get(stream_id)
            if broadcast is None:
                return result(False, None, None)
            if effective_status(broadcast) != STATUS_BROADCASTING:
                # Not live (Broadcast.getStatus(): a stream not updated for 20 s is not live either): only the per-stream setting changes; it applies when the stream starts.
                self.broadcasts.update(stream_id, **{record_field: RECORD_ENABLED if enable else RECORD_DISABLED})
                return result(True, None, None)
            live = self.live.get(stream_id)
            if enable == (live is not None and live.is_recording(record_type, resolution)):
                return result(False, "%s recording couldn't be %s" % (record_type, state), None)
            if enable and live is not None and live.preparing(self.node.options.push_prepare_window):
                # The stream's muxer is still being prepared (right after a media push started):
                # MuxAdaptor.startRecording finds no prepared muxer and the answer is the same as for
                # a stream that records already. Nothing changes on the broadcast.
                return result(False, "%s recording couldn't be %s" % (record_type, state), None)
            origin = broadcast["originAdress"]
            if origin and origin != self.node.host_address:
                return result(False, "Please send %s recording request to %s node or send request in a stopped "
                                     "status." % (record_type, origin), None)
            if live is None:  # e.g. a room's main track: no muxer to record with
                return result(False, "%s recording couldn't be %s" % (record_type, state), None)
            if enable:
                vod_id = random_alphanumeric(24)
                if resolution not in (0, live.height):
                    # MuxAdaptor.addMuxer refuses a height the stream does not have, but
                    # startRecording returns the never-initialised muxer all the same: success,
                    # a VoD id, timestamp 0, and nothing is recorded.
                    message = "0"
                else:
                    recording = self._start_recording(live, record_type, resolution,
                                                      sanitize_file_name(file_name, record_type) or None, vod_id)
                    message = str(recording.vod_timestamp)
            else:
                recording = live.recordings.pop(record_type)
                self._finish_recording(recording, broadcast)
                vod_id, message = recording.vod_id, str(recording.vod_timestamp)
            self.broadcasts.update(stream_id, **{record_field: RECORD_ENABLED if enable else RECORD_DISABLED})
            return result(True, message, vod_id)

    def start_recording_directly(self, stream_id: str, record_type: str) -> None:
        """A plugin calling the stream's muxer (MuxAdaptor.startRecording) without the REST layer:
        the broadcast's mp4Enabled/webMEnabled stay as they are."""
        with self.lock:
            live = self.live.get(stream_id)
            if live is not None and not live.is_recording(record_type, 0):
                self._start_recording(live, record_type, 0, None, None)

    def _start_recording(self, live: LiveStream, record_type: str, resolution: int, base_name: str | None,
                         vod_id: str | None) -> Recording:
        """Muxer.init: the file name (NAME[-DATETIME][_RESp].EXT, or the given base name), made
        unique with _1, _2... against finished and in-progress files."""
        started = now_ms()
        if base_name:
            name, vod_timestamp = base_name, 0
        else:
            name, vod_timestamp = live.stream_id, started
            if self.settings.get("addDateTimeToMp4FileName"):
                name += "-" + datetime.fromtimestamp(started / 1000).strftime("%Y-%m-%d_%H-%M-%S.%f")[:-3]
            if resolution:
                name += "_%dp" % resolution
        broadcast = self.broadcasts.get(live.stream_id) or {}
        folder = Path(*[part for part in (broadcast.get("subFolder"), self.settings.get("recordingSubfolder")) if part])
        directory = self.streams_dir / folder
        directory.mkdir(parents=True, exist_ok=True)
        candidate, counter = name, 1
        while True:
            path = directory / ("%s.%s" % (candidate, record_type))
            temp_path = path.with_name(path.name + TEMP_EXTENSION)
            if not path.exists() and not temp_path.exists():
                break
            candidate, counter = "%s_%d" % (name, counter), counter + 1
        temp_path.touch()  # the muxer's file exists (and the name is taken) while it records
        recording = Recording(record_type=record_type, path=path,
                              relative_path=path.relative_to(self.webapp_dir).as_posix(), resolution=resolution,
                              vod_id=vod_id, vod_timestamp=vod_timestamp, started_ms=started,
                              started_monotonic=time.monotonic(), stream_id=live.stream_id)
        live.recordings[record_type] = recording
        return recording

    def _finish_recording(self, recording: Recording, broadcast: dict | None) -> None:
        """The muxer writes its trailer; the VoD is added once the file is complete
        (AntMediaApplicationAdapter.muxingFinished), named after the broadcast as it is now."""
        seconds = time.monotonic() - recording.started_monotonic
        snapshot = dict(broadcast) if broadcast else None

        def add_vod(finished: Recording, duration_seconds: float, file_size: int) -> None:
            stream_name = finished.path.name
            if snapshot and (snapshot.get("name") or "").strip():
                stream_name = snapshot["name"] + (" (%dp)" % finished.resolution if finished.resolution else "")
            vod = new_vod(
                streamName=stream_name, vodName=finished.path.name, streamId=finished.stream_id,
                filePath=finished.relative_path, creationDate=now_ms(), startTime=finished.started_ms,
                duration=int(round(duration_seconds * 1000)), fileSize=file_size, type="streamVod",
                vodId=finished.vod_id or random_alphanumeric(24),
                description=snapshot.get("description") if snapshot else None,
                metadata=snapshot.get("metaData") if snapshot else None,
                latitude=snapshot.get("latitude") if snapshot else None,
                longitude=snapshot.get("longitude") if snapshot else None,
                altitude=snapshot.get("altitude") if snapshot else None)
            self.vods.put(vod)

        self.node.media.finish(recording, seconds, add_vod)

    # ---- VoDs -----------------------------------------------------------------------------
    def list_vods(self, offset: int, size: int, sort_by: str | None, order_by: str | None,
                  stream_id: str | None, search: str | None) -> list[dict]:
        vods = self.vods.all()
        if stream_id:
            vods = [vod for vod in vods if vod["streamId"] == stream_id]
        vods = self.search_vods(vods, search)
        sort_key = None
        if sort_by in ("name", "date") and order_by is not None:
            sort_key = (lambda vod: vod["vodName"].lower()) if sort_by == "name" else (lambda vod: vod["creationDate"])
        return sort_and_crop(vods, offset, size, sort_key, order_by == "desc")

    def delete_vod(self, vod_id: str) -> dict:
        """RestServiceBase.deleteVoD: the file (webapps/APP/filePath) and its preview go, then the record; a missing
        id is `success: false` with an empty message (HTTP 200)."""
        vod = self.vods.get(vod_id)
        if vod is None:
            return result(False, "")
        for path in (self.webapp_dir / (vod.get("filePath") or ""), Path(vod.get("previewFilePath") or "")):
            if path.name and path.is_file():
                path.unlink()
        return result(True, "vod deleted") if self.vods.delete(vod_id) else result(False, "")

    def add_vod(self, fields: dict, content: bytes) -> dict:
        """A finished file and its VoD record (the lab's shortcut to a recording or an upload that happened)."""
        vod_id = fields.get("vodId") or random_alphanumeric(24)
        name = fields.get("vodName") or vod_id + ".mp4"
        path = self.streams_dir / Path(name).name
        path.write_bytes(content)
        vod = new_vod(**dict({"streamName": name, "streamId": None, "creationDate": now_ms(), "type": "streamVod"},
                             **fields))
        vod.update(vodId=vod_id, vodName=path.name, filePath="streams/" + path.name, fileSize=len(content))
        self.vods.put(vod)
        return vod

    @staticmethod
    def search_vods(vods: list[dict], search: str | None) -> list[dict]:
        """DataStore.searchOnServerVod: id, file name, stream id and name, description, metadata."""
        if not search:
            return vods
        needle = _REPLACE_CHARS.sub("_", search).lower()
        fields = ("vodId", "vodName", "streamId", "streamName", "description", "metadata")
        return [vod for vod in vods if any(needle in (vod.get(key) or "").lower() for key in fields)]
