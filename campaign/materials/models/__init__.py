"""The materials app's models: guides (pages that print), the press room, and the
tracking of what was printed and scanned."""

from .guides import GuideIndexPage, GuidePage  # noqa: F401
from .press import (  # noqa: F401
    MediaItem,
    PressAttachment,
    PressContact,
    PressFactSheet,
    PressReleasePage,
    PressRoomPage,
)
from .tracking import GuidePack, Scan  # noqa: F401
