"""Fetching official figures from a configured URL (CSV or JSON) and storing them
through the same all-or-nothing checker as an upload. A fetch that fails (timeout,
HTTP error, unreadable body, a missing or bad column) records a clear message and
leaves the stored figures as they were."""

import csv
import io
import json
import urllib.error
import urllib.request

from django.utils import timezone
from django.utils.translation import gettext as _

from .importing import MAX_ROWS, RegionLookups, Table, check_counts
from .models import FetchSource
from .services import counts_store

MAX_BYTES = 50 * 1024 * 1024


class FetchError(Exception):
    pass


def _download(source):
    if not source.url.startswith(("http://", "https://")):
        raise FetchError(_("Only http:// and https:// addresses can be fetched."))
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        source.url, headers={"User-Agent": "JemputBola/1 (official figures)"}
    )
    try:
        with urllib.request.urlopen(request, timeout=source.timeout_seconds) as response:  # noqa: S310 - http(s) only
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise FetchError(_("The server answered HTTP %(status)d.") % {"status": error.code}) from error
    except TimeoutError as error:
        raise FetchError(
            _("No answer within %(seconds)d seconds.") % {"seconds": source.timeout_seconds}
        ) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise FetchError(
                _("No answer within %(seconds)d seconds.") % {"seconds": source.timeout_seconds}
            ) from error
        raise FetchError(_("The server cannot be reached: %(reason)s") % {"reason": reason}) from error
    if len(body) > MAX_BYTES:
        raise FetchError(_("The answer is larger than %(limit)d MB.") % {"limit": MAX_BYTES // 2**20})
    return body


def _table(source, body) -> Table:
    """The body as a table with our column names (the source's are mapped)."""
    mapping = source.mapping()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FetchError(_("The answer is not UTF-8 text.")) from error
    if source.format == FetchSource.Format.JSON:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise FetchError(_("The answer is not valid JSON.")) from error
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise FetchError(_("The JSON answer must be a list of objects."))
        headers = sorted({key for item in data for key in item})
        rows = [["" if item.get(key) is None else str(item.get(key)) for key in headers] for item in data]
    else:
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        try:
            rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(row)]
        except csv.Error as error:
            raise FetchError(_("The CSV answer is malformed: %(error)s") % {"error": error}) from error
        if not rows:
            raise FetchError(_("The answer is empty."))
        headers, rows = [cell.strip() for cell in rows[0]], rows[1:]
    if len(rows) > MAX_ROWS:
        raise FetchError(_("The answer has more than %(limit)s rows.") % {"limit": f"{MAX_ROWS:,}"})
    ours = {theirs: our for our, theirs in mapping.items()}
    missing = [theirs for theirs in mapping.values() if theirs not in headers]
    if missing:
        raise FetchError(
            _("The column “%(column)s” set in the mapping is not in the answer (it has: %(found)s).")
            % {"column": missing[0], "found": ", ".join(headers)[:300]}
        )
    return Table(headers=[ours.get(h, "") for h in headers], original_headers=headers, rows=rows)


def fetch_run(*, source: FetchSource) -> FetchSource:
    """Fetch, check and store one source's figures; record the outcome either way."""
    try:
        table = _table(source, _download(source))
        clean, errors = check_counts(table, RegionLookups.load(), today=timezone.localdate())
        if errors:
            first = errors[0]
            raise FetchError(
                _("%(count)d bad rows; the first: row %(row)d, %(column)s: %(message)s")
                % {"count": len(errors), "row": first.row, "column": first.column, "message": first.message}
            )
        result = counts_store(rows=clean, source=source.name)
    except FetchError as error:
        outcome, message = FetchSource.Outcome.FAILED, str(error)
    else:
        outcome = FetchSource.Outcome.OK
        message = _(
            "%(rows)d rows: %(created)d new figures, %(changed)d corrected, %(unchanged)d unchanged."
        ) % {
            "rows": len(clean),
            "created": result.created,
            "changed": result.changed,
            "unchanged": result.unchanged,
        }
    source.last_run_at, source.last_outcome, source.last_message = timezone.now(), outcome, message
    FetchSource.objects.filter(pk=source.pk).update(
        last_run_at=source.last_run_at, last_outcome=outcome, last_message=message
    )
    return source


def sources_due(now=None):
    """Active sources whose interval has passed since their last fetch."""
    import datetime

    now = now or timezone.now()
    return [
        source
        for source in FetchSource.objects.filter(is_active=True)
        if source.last_run_at is None
        or source.last_run_at + datetime.timedelta(minutes=source.every_minutes) <= now
    ]
