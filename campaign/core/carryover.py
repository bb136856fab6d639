"""Carrying a campaign over: the steps each app adds to ``campaign_carry_over``.

``campaign.core`` imports no other app, yet a new campaign started from an earlier one
needs the teams (institutions), the templates and audiences (invitations), the guides
(materials) and the area goals (response) copied. Each app registers its own steps here
in its ``AppConfig.ready()``; the service in ``campaign.core.services`` runs them, in
one transaction, in the order the apps are installed.

- A *copy step* ``step(*, source, target, options, user) -> int`` copies what its app
  owns from ``source`` to ``target`` and returns how many rows it copied.
- An *activation step* ``step(*, previous, campaign, user)`` runs when a carried-over
  campaign becomes the active one, replacing ``previous`` (the institutions' statuses
  are the active campaign's: see ``campaign.institutions.carryover``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CarryOverOptions:
    copy_team_members: bool = False


@dataclass
class CarryOverResult:
    campaign: object
    copied: dict = field(default_factory=dict)  # step name → rows copied


_COPY_STEPS: dict[str, Callable] = {}
_ACTIVATION_STEPS: dict[str, Callable] = {}


def register_copy_step(name: str, step: Callable) -> None:
    """Add (or replace, by name: ``ready()`` may run twice) a copy step."""
    _COPY_STEPS[name] = step


def register_activation_step(name: str, step: Callable) -> None:
    _ACTIVATION_STEPS[name] = step


def copy_steps() -> list[tuple[str, Callable]]:
    return list(_COPY_STEPS.items())


def activation_steps() -> list[tuple[str, Callable]]:
    return list(_ACTIVATION_STEPS.items())


# Letter templates (official letters, a channel of the batches): the invitations app
# registers this step (``campaign.invitations.carryover.letter_templates_copy``).
LETTER_TEMPLATES_STEP = "letter_templates"
