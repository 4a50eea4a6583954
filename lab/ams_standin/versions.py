"""The server version the stand-in answers as (`--server-version`), and what changes with it.

Read in ant-media/Ant-Media-Server at the release tags (ams-v2.8.0 ... ams-v3.0.3):
- `GET /{APP}/rest/v2/version` (RootRestService.getVersion -> RestServiceBase.getSoftwareVersion): the
  version name, "Enterprise Edition" or "Community Edition", and the Build-Number of the jar's manifest
  (pom.xml: maven.build.timestamp, yyyyMMdd_HHmm);
- 3.0.0 removed `subTrackStreamIds` and `conferenceMode` from Broadcast and added
  `/{id}/subtracks/{offset}/{size}`, `/{id}/active-subtracks/{offset}/{size}` and
  `/{id}/active-subtracks-count` to BroadcastRestService (2.x has none of them);
- `PUT /v2/broadcasts/{id}` takes a whole `Broadcast` up to 2.10.0 (DataStore.updateStreamInfo copies
  some fields unconditionally) and a `BroadcastUpdate` whose null fields are left alone from 2.10.1."""

from __future__ import annotations

import re

ENTERPRISE_EDITION = "Enterprise Edition"   # RestServiceBase.ENTERPRISE_EDITION: media push needs WebRTC ingest
COMMUNITY_EDITION = "Community Edition"     # RestServiceBase.COMMUNITY_EDITION
# RestServiceBase.isEnterprise(): the Enterprise jar's class io.antmedia.enterprise.adaptive.EncoderAdaptor loads.
VERSION_TYPES = {"enterprise": ENTERPRISE_EDITION, "community": COMMUNITY_EDITION}
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")

# The oldest release modelled: Media Push exists from 2.8 on (contract, "Plugin version = server version").
OLDEST = (2, 8, 0)


def parse_version(text: str) -> tuple[int, int, int]:
    match = _VERSION.match(str(text).strip())
    if not match:
        raise ValueError("a server version is MAJOR.MINOR.PATCH, e.g. 2.17.1 or 3.0.1: %r" % text)
    version = tuple(int(part) for part in match.groups())
    if version < OLDEST:
        raise ValueError("versions before %s are not modelled: %s" % (".".join(map(str, OLDEST)), text))
    return version  # type: ignore[return-value]


def has_subtrack_endpoints(version: tuple[int, int, int]) -> bool:
    """3.0.0 added the subtrack list endpoints."""
    return version >= (3, 0, 0)


def lists_subtracks_in_broadcast(version: tuple[int, int, int]) -> bool:
    """2.x writes `subTrackStreamIds` (and from 2.10.0 `conferenceMode`) in every broadcast; 3.x neither."""
    return version < (3, 0, 0)


def has_conference_mode(version: tuple[int, int, int]) -> bool:
    return (2, 10, 0) <= version < (3, 0, 0)


def put_replaces_whole_broadcast(version: tuple[int, int, int]) -> bool:
    """Before 2.10.1 `PUT /{id}` binds a whole Broadcast (partial bodies reset fields)."""
    return version < (2, 10, 1)


# A Build-Number of the manifest's form (yyyyMMdd_HHmm). Real ones are build timestamps; this one is made
# up, so that clients see the shape without relying on a real release's stamp.
BUILD_NUMBER = "20250101_1200"


def version_json(version_name: str, edition: str = "enterprise") -> dict:
    """io.antmedia.rest.model.Version as Jackson writes it (field order of the class)."""
    return {"versionName": version_name, "versionType": VERSION_TYPES[edition],
            "buildNumber": BUILD_NUMBER}
