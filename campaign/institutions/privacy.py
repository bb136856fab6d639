"""Personal data: the log of who viewed, exported, merged or erased it, and the keyed hash
that keeps an erased person's email or phone from coming back in a later import."""

from django.utils.crypto import salted_hmac

from .models import PersonalDataLog


def personal_data_log(*, user, action, model, row_count=0, detail="") -> PersonalDataLog:
    return PersonalDataLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        model=model,
        row_count=row_count,
        detail=detail[:500],
    )


def identity_digest(value: str) -> str:
    """Keyed hash of a normalised email or E.164 phone number."""
    return salted_hmac("jemputbola.erased-identity", value.strip().lower(), algorithm="sha256").hexdigest()
