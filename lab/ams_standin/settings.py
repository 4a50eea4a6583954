"""Application settings (io.antmedia.AppSettings) and server settings (io.antmedia.settings.ServerSettings).

Only settings the stand-in acts on or that modules are likely to read are modelled; their defaults are
the ones in AppSettings.java (field initialisers, which equal the @Value defaults). Keys the stand-in does
not model are kept as posted, so a read-modify-write client round-trips them."""

from __future__ import annotations

import secrets
import string
from typing import Any

from .web import HttpError, error_page

APP_SETTING_DEFAULTS: dict[str, Any] = {
    "appName": "",
    "mp4MuxingEnabled": False,
    "webMMuxingEnabled": False,
    "addDateTimeToMp4FileName": False,
    "fileNameFormat": "%r%b",
    "recordingSubfolder": None,
    "hlsMuxingEnabled": True,
    "hlsListSize": "15",
    "hlsTime": "2",
    "hlsPlayListType": "",
    "hlsflags": "delete_segments+program_date_time",
    "deleteHLSFilesOnEnded": True,
    "dashMuxingEnabled": False,
    "deleteDASHFilesOnEnded": True,
    "webRTCEnabled": True,
    "encoderSettingsString": "",
    "remoteAllowedCIDR": "127.0.0.1",
    "ipFilterEnabled": True,
    "jwtControlEnabled": False,
    "jwtSecretKey": "",
    "jwksURL": "",
    "jwtStreamSecretKey": "",
    "publishTokenControlEnabled": False,
    "playTokenControlEnabled": False,
    "publishJwtControlEnabled": False,
    "playJwtControlEnabled": False,
    "enableTimeTokenForPublish": False,
    "enableTimeTokenForPlay": False,
    "hashControlPublishEnabled": False,
    "hashControlPlayEnabled": False,
    "acceptOnlyStreamsInDataStore": False,
    "allowedPublisherCIDR": "",
    "listenerHookURL": "",
    "webhookContentType": "application/json",
    "webhookRetryCount": 0,
    "webhookRetryDelay": 1000,
    "webhookStreamStatusUpdatePeriodMs": -1,  # 2.12+: liveStreamStatus every N ms (-1: never)
    "muxerFinishScript": "",
    "ingestingStreamLimit": -1,
    "maxResolutionAccept": 0,
    "generatePreview": False,
    "previewOverwrite": False,
    "s3RecordingEnabled": False,
    "s3BucketName": "",
    "s3AccessKey": "",
    "s3SecretKey": "",
    "s3RegionName": "",
    "s3Endpoint": "",
    "uploadExtensionsToS3": 7,
    "webRTCViewerLimit": -1,
    "clusterCommunicationKey": "",
}

# Settings a POST without the key does not reset: the app's name, and the per-app random key of
# cluster communication (AMS generates it once; resetting it would cut the node off its cluster).
_KEPT_WHEN_MISSING = ("appName", "clusterCommunicationKey")

SERVER_SETTING_DEFAULTS: dict[str, Any] = {
    "serverName": None,
    "jwtServerControlEnabled": False,
    "jwtServerSecretKey": None,
    "jwksURL": None,
    # conf/red5.properties of a fresh install: server.allowed_dashboard_CIDR=0.0.0.0/0
    "allowedDashboardCIDR": "0.0.0.0/0",
    "defaultHttpPort": 5080,
}


def random_alphanumeric(length: int) -> str:
    """RandomStringUtils.randomAlphanumeric."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_app_settings(app_name: str) -> dict:
    settings = dict(APP_SETTING_DEFAULTS)
    settings["appName"] = app_name
    settings["clusterCommunicationKey"] = random_alphanumeric(32)
    return settings


def _coerce(key: str, value: Any) -> Any:
    """Jackson's lenient binding: "true" binds a boolean, "15" an int, 15 a String; null binds a
    primitive to its zero value; anything else is a 400."""
    default = APP_SETTING_DEFAULTS[key]
    if isinstance(default, bool):
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif isinstance(default, int):
        if value is None:
            return 0
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
    else:  # String fields (a null default is a String that may be null)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
    raise HttpError(error_page(400, "Cannot deserialize value of %s" % key))


def _at_least(value: str | None, minimum: int) -> str:
    try:
        return value if value is not None and int(value) >= minimum else str(minimum)
    except ValueError:
        raise HttpError(error_page(500, "For input string: \"%s\"" % value)) from None


def settings_from_post(posted: dict, current: dict) -> dict | None:
    """The complete settings after POST /rest/v2/applications/settings/{app} (the body replaces the
    whole object; a missing key takes its default), or None when AMS refuses them (updateSettings
    returning false)."""
    settings = {}
    for key, default in APP_SETTING_DEFAULTS.items():
        if key in posted:
            settings[key] = _coerce(key, posted[key])
        elif key in _KEPT_WHEN_MISSING:
            settings[key] = current.get(key, default)
        else:
            settings[key] = default
    settings.update({key: value for key, value in posted.items() if key not in APP_SETTING_DEFAULTS})

    # AntMediaApplicationAdapter.isTokenSecuritySettingsValid: one token method per direction.
    publish_methods = ("publishTokenControlEnabled", "publishJwtControlEnabled", "enableTimeTokenForPublish")
    play_methods = ("playTokenControlEnabled", "playJwtControlEnabled", "enableTimeTokenForPlay")
    if sum(bool(settings[key]) for key in publish_methods) > 1 or sum(bool(settings[key]) for key in play_methods) > 1:
        return None
    settings["hlsListSize"] = _at_least(settings["hlsListSize"], 5)
    settings["hlsTime"] = _at_least(settings["hlsTime"], 1)
    settings["appName"] = current["appName"]
    return settings
