"""The case rules' defaults. A deployment overrides any of them in settings.JIANFU["CASES"]."""

from django.conf import settings

DEFAULTS: dict = {
    # The community accepts (or merges) a report within this many working days.
    "ACCEPT_WORKDAYS": 1,
    # A community or grid given a matter to handle itself reports back within this time.
    "LOCAL_RESPOND_WORKDAYS": 1,
    "RESOLVE_WORKDAYS": 5,
    # After resolution the reporter is revisited (回访) and confirms or reopens within this time.
    "REVISIT_WORKDAYS": 3,
    # A service application accepted online must be taken up at the window within this time.
    "SERVICE_ACCEPT_WORKDAYS": 1,
    # Points for the department that answered a whistle (seed 003: 实行积分管理).
    "POINTS": {
        "respond_on_time": 2,
        "respond_late": -1,
        "resolve_on_time": 3,
        "resolve_late": 1,
        "reopened": -2,
        "satisfied": 2,
        "basic": 1,
        "dissatisfied": -2,
    },
    # Photos: optional, at most this size, of these kinds.
    "PHOTO_MAX_BYTES": 10 * 1024 * 1024,
    "PHOTO_SUFFIXES": (".jpg", ".jpeg", ".png", ".webp", ".heic", ".gif"),
    # Reports of the same matter in the same community within this many days are offered for merging.
    "DUPLICATE_DAYS": 7,
}


def conf(name: str):
    return settings.JIANFU.get("CASES", {}).get(name, DEFAULTS[name])
