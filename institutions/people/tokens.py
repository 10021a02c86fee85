"""Signed links (django.core.signing) for e-mail confirmation and invitations.

A token carries the row's id and the address it was sent to, signed with SECRET_KEY and a
per-purpose salt, and stamped with its time: ``read`` tells an expired link from a forged one,
so the page can say "expired" and offer a new link. Single use is the row's state (a confirmed
registration, an accepted invitation), not the token's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

REGISTRATION = "institutions.registration.confirm"
INVITATION = "institutions.invitation"


@dataclass(frozen=True)
class Token:
    pk: int | None  # None: not ours (forged, mangled)
    email: str = ""
    expired: bool = False


def make(salt: str, *, pk: int, email: str) -> str:
    return signing.dumps({"pk": pk, "email": email}, salt=salt, compress=True)


def read(salt: str, token: str, *, max_age: int) -> Token:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
        expired = False
    except signing.SignatureExpired:
        data = signing.loads(token, salt=salt)  # genuine, only old
        expired = True
    except signing.BadSignature:
        return Token(pk=None)
    if not isinstance(data, dict) or not isinstance(data.get("pk"), int):
        return Token(pk=None)
    return Token(pk=data["pk"], email=str(data.get("email", "")), expired=expired)
