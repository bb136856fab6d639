"""Writes of the core app: regions, roles, campaigns and the site's page tree."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.log_actions import log
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
)

from . import carryover, pagecache
from .models import Campaign, CampaignExtension, HomePage, Region

DATA_DIR = Path(__file__).resolve().parent / "data"

NTT_PROVINCE = {"code": "53", "name": "Nusa Tenggara Timur", "kemendagri_code": "53"}
# SP2020 total for the province (BPS NTT release of 21 January 2021).
NTT_POPULATION_SP2020 = 5_325_566


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _ntt_region_rows(data_dir):
    """Yield region dicts parents-first from the reference CSVs."""
    yield {
        **NTT_PROVINCE,
        "level": Region.Level.PROVINCE,
        "kind": "provinsi",
        "parent": None,
        "population": NTT_POPULATION_SP2020,
    }
    kemendagri = {
        row["bps_code"]: row["kemendagri_code"] for row in _read_csv(data_dir / "ntt_regencies_meta.csv")
    }
    for row in _read_csv(data_dir / "ntt_regencies.csv"):
        yield {
            "code": row["code"],
            "name": row["name"],
            "level": Region.Level.REGENCY,
            "kind": row["kind"],
            "parent": row["code"][:2],
            "population": int(row["population_sp2020"]) if row["population_sp2020"] else None,
            "kemendagri_code": kemendagri.get(row["code"], ""),
        }
    kemendagri = {
        row["bps_code"]: row["kemendagri_code"] for row in _read_csv(data_dir / "ntt_districts_crosswalk.csv")
    }
    for row in _read_csv(data_dir / "ntt_districts.csv"):
        yield {
            "code": row["code"],
            "name": row["name"],
            "level": Region.Level.DISTRICT,
            "kind": "kecamatan",
            "parent": row["regency_code"],
            "population": None,
            "kemendagri_code": kemendagri.get(row["code"], ""),
        }
    kemendagri = {
        row["bps_code"]: row["kemendagri_code"]
        for row in _read_csv(data_dir / "kupang_crosswalk.csv")
        if row["bps_code"]
    }
    for row in _read_csv(data_dir / "kupang_villages.csv"):
        yield {
            "code": row["code"],
            "name": row["name"],
            "level": Region.Level.VILLAGE,
            "kind": "kelurahan",
            "parent": row["district_code"],
            "population": None,
            "kemendagri_code": kemendagri.get(row["code"], ""),
        }


@dataclass(frozen=True)
class RegionLoadResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def regions_load(*, data_dir: Path = DATA_DIR) -> RegionLoadResult:
    """Create or update NTT's regions from the reference CSVs; safe to run again.

    Rows are written level by level so that every parent exists before its children.
    """
    existing = {region.code: region for region in Region.objects.all()}
    created = updated = unchanged = 0
    fields = ["name", "level", "kind", "population", "kemendagri_code"]
    for level in Region.Level.values:
        to_create, to_update = [], []
        for row in _ntt_region_rows(data_dir):
            if row["level"] != level:
                continue
            parent = existing[row["parent"]] if row["parent"] else None
            region = existing.get(row["code"])
            if region is None:
                region = Region(code=row["code"], parent=parent, **{f: row[f] for f in fields})
                region.full_clean(validate_unique=False)
                to_create.append(region)
                continue
            changed = [f for f in fields if getattr(region, f) != row[f]]
            if region.parent_id != (parent.pk if parent else None):
                region.parent = parent
                changed.append("parent")
            if changed:
                for field in fields:
                    setattr(region, field, row[field])
                region.full_clean(validate_unique=False)
                to_update.append(region)
            else:
                unchanged += 1
        for region in Region.objects.bulk_create(to_create):
            existing[region.code] = region
        Region.objects.bulk_update(to_update, [*fields, "parent"])
        created += len(to_create)
        updated += len(to_update)
    return RegionLoadResult(created=created, updated=updated, unchanged=unchanged)


# --- Roles ----------------------------------------------------------------------------

DISSEMINATION_STAFF = "Dissemination staff"
HEAD_OF_SECTION = "Head of section"
FIELD_TEAM = "Field team"

# Model permissions each role holds ("app_label.codename"). Later apps add theirs here.
_MEDIA = [
    f"{app}.{action}_{model}"
    for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document"))
    for action in ("add", "change", "choose")
]
_CAMPAIGN = [
    "core.add_campaign",
    "core.change_campaign",
    "core.view_campaign",
    "core.change_campaignsettings",
    "core.change_letterheadsettings",
    "core.view_region",
    "core.change_region",  # the map centre only: RegionViewSet shows the rest read-only
    # The office tree: the province's staff manage it, a regency's read their own office
    # (campaign.core.offices.OfficePolicy).
    *[f"core.{action}_office" for action in ("add", "change", "delete", "view")],
]
_REGISTRY_EDIT = [
    f"institutions.{action}_{model}"
    for model in ("institution", "contact", "mediapartner", "institutionkind")
    for action in ("add", "change", "delete", "view")
] + ["institutions.export_institution", "institutions.export_contact"]
_REGISTRY_VIEW = [
    f"institutions.view_{model}" for model in ("institution", "contact", "mediapartner", "institutionkind")
]
_FIELDWORK_EDIT = [
    f"institutions.{action}_{model}"
    for model in ("team", "guidedsession", "assignment", "coordinationmeeting")
    for action in ("add", "change", "delete", "view")
] + ["institutions.manage_all_teams"]
# Field members record their own team's sessions, plans and Rakorcam attendance.
_FIELDWORK_OWN = [
    "institutions.view_team",
    "institutions.add_guidedsession",
    "institutions.change_guidedsession",
    "institutions.view_guidedsession",
    "institutions.add_assignment",
    "institutions.view_assignment",
    "institutions.add_coordinationmeeting",
    "institutions.change_coordinationmeeting",
    "institutions.view_coordinationmeeting",
]
# Materials: district guide packs, QR scan reports, media partners' embargo links.
_MATERIALS = [
    "materials.add_guidepack",
    "materials.view_guidepack",
    "materials.view_scan",
    "materials.issue_embargo_link",
]
# Field teams download the packs of the districts they visit.
_MATERIALS_VIEW = ["materials.view_guidepack"]
# Invitations: templates, audiences, batches (and sending them), suppressions; reading
# recipients, tracking events and the demo outbox.
_INVITATIONS = [
    f"invitations.{action}_{model}"
    for model in ("emailtemplate", "lettertemplate", "audience", "batch", "suppression", "channelsuppression")
    for action in ("add", "change", "delete", "view")
] + [
    "invitations.send_batch",
    "invitations.view_letter",
    "invitations.export_letter",
    "invitations.view_recipient",
    "invitations.export_recipient",
    "invitations.view_trackingevent",
    "invitations.view_outboxmessage",
]
# Official online response: importing figures, reading corrections, setting area goals.
_RESPONSE = [
    "response.add_officialcount",
    "response.change_officialcount",
    "response.view_officialcount",
    "response.view_countchange",
    *[
        f"response.{action}_{model}"
        for model in ("areagoal", "fetchsource")
        for action in ("add", "change", "delete", "view")
    ],
]
ROLE_PERMISSIONS = {
    DISSEMINATION_STAFF: [
        "wagtailadmin.access_admin",
        *_MEDIA,
        *_CAMPAIGN,
        *_REGISTRY_EDIT,
        *_FIELDWORK_EDIT,
        *_MATERIALS,
        *_INVITATIONS,
        *_RESPONSE,
    ],
    HEAD_OF_SECTION: [
        "wagtailadmin.access_admin",
        *_MEDIA,
        *_CAMPAIGN,
        *_REGISTRY_EDIT,
        *_FIELDWORK_EDIT,
        *_MATERIALS,
        *_INVITATIONS,
        *_RESPONSE,
    ],
    # Field teams see the institutions they visit and their contacts; no export, no delete.
    # They read the campaign (no personal data), which their Rakorcam form must name.
    FIELD_TEAM: [
        "wagtailadmin.access_admin",
        "core.view_region",
        "core.view_campaign",
        *_REGISTRY_VIEW,
        *_FIELDWORK_OWN,
        *_MATERIALS_VIEW,
        "response.view_officialcount",
    ],
}
# Page permissions on the whole tree: staff draft, the head of section publishes.
ROLE_PAGE_PERMISSIONS = {
    DISSEMINATION_STAFF: ["add_page", "change_page"],
    HEAD_OF_SECTION: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
# Collection permissions on the root collection (images and documents).
ROLE_COLLECTION_PERMISSIONS = {
    DISSEMINATION_STAFF: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
}
ROLE_COLLECTION_PERMISSIONS[HEAD_OF_SECTION] = ROLE_COLLECTION_PERMISSIONS[DISSEMINATION_STAFF]


def _permissions(names):
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in=[codename for _, codename in wanted]
        )
    }
    return [found[key] for key in sorted(wanted) if key in found]


@transaction.atomic
def roles_sync() -> dict[str, Group]:
    """Create the role groups and give them exactly the permissions listed above.

    Permissions of models that are not installed yet are skipped; run again after
    migrating (the post_migrate hook does).
    """
    groups = {}
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for name, permission_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(permission_names))
        if root_page is not None:
            GroupPagePermission.objects.filter(group=group).exclude(
                permission__codename__in=ROLE_PAGE_PERMISSIONS.get(name, [])
            ).delete()
            for codename in ROLE_PAGE_PERMISSIONS.get(name, []):
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=root_page,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=codename
                    ),
                )
        if root_collection is not None:
            for permission in _permissions(ROLE_COLLECTION_PERMISSIONS.get(name, [])):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
        groups[name] = group
    return groups


def roles_sync_after_migrate(sender, **kwargs):
    """post_migrate receiver for the core app, which is installed last so that every
    other app's permissions exist by the time it runs."""
    roles_sync()


# --- Campaign and site ----------------------------------------------------------------


def validated_save(instance, *, user=None):
    """The end of every create-or-edit service: validate the whole object, save it, and
    leave the audit entry the admin's history shows (``wagtail.create`` the first time,
    ``wagtail.edit`` after). Services run their own rules (team, phone, week) before."""
    instance.full_clean()
    is_new = instance.pk is None
    instance.save()
    log(instance, "wagtail.create" if is_new else "wagtail.edit", user=user)
    return instance


@transaction.atomic
def campaign_save(
    *,
    campaign: Campaign | None = None,
    extensions=(),
    area=(),
    **fields,
) -> Campaign:
    """Create or update a campaign with its extensions (new end date, reason).

    Activating a campaign deactivates the one active before it, so the public site
    always has at most one.
    """
    campaign = campaign or Campaign()
    for name, value in fields.items():
        setattr(campaign, name, value)
    previous = _deactivate_others(campaign)
    campaign.full_clean()
    campaign.save()
    _run_activation_steps(previous=previous, campaign=campaign, user=None)
    campaign.extensions.all().delete()
    for new_end, reason in extensions:
        extension = CampaignExtension(campaign=campaign, new_end=new_end, reason=reason)
        extension.full_clean()
        extension.save()
    if area:
        campaign.area.set(area)
    return campaign


def _deactivate_others(campaign: Campaign) -> Campaign | None:
    """Before ``campaign`` is saved active: deactivate the campaign active until now and
    return it when ``campaign`` takes its place (None if ``campaign`` was active already
    or is not being activated)."""
    if not campaign.is_active:
        return None
    if campaign.pk is not None and Campaign.objects.filter(pk=campaign.pk, is_active=True).exists():
        return None
    previous = Campaign.objects.filter(is_active=True).exclude(pk=campaign.pk).first()
    Campaign.objects.filter(is_active=True).exclude(pk=campaign.pk).update(is_active=False)
    return previous or Campaign(pk=None)


def _run_activation_steps(*, previous, campaign, user) -> None:
    """A carried-over campaign that becomes the active one: each app's activation step
    (the institutions' statuses start again from "not contacted", the previous
    campaign's kept as its history)."""
    if previous is None or not campaign.requires_purpose_confirmation:
        return
    previous = previous if previous.pk is not None else campaign.carried_over_from
    for _name, step in carryover.activation_steps():
        step(previous=previous, campaign=campaign, user=user)
    log(
        campaign, "jemputbola.campaign_activated", user=user, data={"previous": getattr(previous, "pk", None)}
    )


@transaction.atomic
def campaign_admin_save(*, instance: Campaign, user=None) -> Campaign:
    """The campaign form's save: activating a campaign deactivates the one before it (and
    runs the activation steps of a carried-over campaign) instead of refusing."""
    previous = _deactivate_others(instance)
    instance = validated_save(instance, user=user)
    _run_activation_steps(previous=previous, campaign=instance, user=user)
    return instance


@transaction.atomic
def campaign_carry_over(
    *,
    source: Campaign,
    name: str,
    short_name: str,
    online_start,
    online_end,
    goal_percent,
    copy_team_members: bool = False,
    user=None,
) -> carryover.CarryOverResult:
    """Start a new campaign from ``source``: its period and goal are new; its area,
    population base, form URL and trajectory are ``source``'s; every app's copy step
    then copies what it owns (teams, templates, audiences, guides as drafts, area goals).

    The registry (institutions, contacts) is shared, not copied; nothing that happened
    in ``source`` is (sessions, visit plans, batches, Rakorcam). The new campaign is not
    active: it becomes the current one when staff activate it. Its contacts' purpose must
    be confirmed for it before any of them is invited (``requires_purpose_confirmation``).
    """
    campaign = Campaign(
        name=name,
        short_name=short_name,
        online_start=online_start,
        online_end=online_end,
        goal_percent=goal_percent,
        target_url=source.target_url,
        population_base=source.population_base,
        trajectory=source.trajectory,
        carried_over_from=source,
        is_active=False,
    )
    validated_save(campaign, user=user)
    campaign.area.set(source.area.all())
    options = carryover.CarryOverOptions(copy_team_members=copy_team_members)
    result = carryover.CarryOverResult(campaign=campaign)
    for step_name, step in carryover.copy_steps():
        result.copied[step_name] = step(source=source, target=campaign, options=options, user=user)
    log(
        campaign,
        "jemputbola.campaign_carried_over",
        user=user,
        data={"source": source.pk, "copied": result.copied},
    )
    return result


@transaction.atomic
def wagtail_roots_ensure() -> Page:
    """Wagtail's default locale, root page and root collection, which its migrations
    create; recreated here when a database was emptied with ``flush``."""
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    return root


@transaction.atomic
def site_home_ensure(*, title: str, intro: str, cta_label: str) -> HomePage:
    """Make a HomePage the root of the default site, replacing Wagtail's welcome page.

    Updates the existing home page when there is one, so running it again is safe.
    """
    root = wagtail_roots_ensure()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title=title, slug="beranda", intro=intro, cta_label=cta_label)
        root.add_child(instance=home)
        home.save_revision().publish()
    elif (home.title, home.intro, home.cta_label) != (title, intro, cta_label) or not home.live:
        home.title, home.intro, home.cta_label = title, intro, cta_label
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(hostname="localhost", port=80, is_default_site=True, site_name="Jemput Bola")
    site.root_page = home
    site.site_name = "Jemput Bola"
    site.save()
    # Wagtail's initial "Welcome to your new Wagtail site!" page, if still there.
    for page in root.get_children().exclude(pk=home.pk).filter(content_type__model="page"):
        if not page.get_children().exists():
            page.delete()
    return home


# --- Public page cache ----------------------------------------------------------------


def page_cache_purge() -> str:
    """Make every cached public page stale at once (the next visit renders it again).

    Called on publish, unpublish, move and other changes that show on public pages,
    usually inside the transaction that makes the change: it purges now and again once
    the transaction commits, so a page another worker rendered from the old rows in
    between is not served afterwards. Returns the new generation token.
    """
    transaction.on_commit(pagecache.start_new_generation)
    return pagecache.start_new_generation()
