"""A keyed hash of the subject's identifier: finds repeat requests without storing the address."""

from __future__ import annotations

import hashlib
import hmac

from domain.subject import SubjectIdentifiers


def subject_hash(secret: bytes, subject: SubjectIdentifiers) -> str:
    basis = subject.email or f"customer:{subject.customer_number}"
    return hmac.new(secret, basis.lower().encode(), hashlib.sha256).hexdigest()[:32]
