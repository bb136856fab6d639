"""The institutions app's models: the registry (who to reach) and the field work
(teams, weekly targets, visits, guided sessions, coordination meetings)."""

from .campaigns import ContactPurpose, InstitutionCampaignStatus  # noqa: F401
from .completion import CompletionReport  # noqa: F401
from .fieldwork import (  # noqa: F401
    Assignment,
    CoordinationMeeting,
    GuidedSession,
    MeetingCommitment,
    SessionTeamTally,
    SessionWeekTally,
    Team,
    TeamWeekTarget,
    week_start,
)
from .registry import (  # noqa: F401
    Contact,
    ErasedIdentity,
    ImportRun,
    Institution,
    InstitutionKind,
    MediaPartner,
    PersonalDataLog,
    normalise_name,
)
