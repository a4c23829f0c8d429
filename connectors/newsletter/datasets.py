"""What the newsletter exports, declared: subscriptions given by the subject's consent."""

from __future__ import annotations

from domain.datasets import Basis, Category, Dataset

DATASETS: tuple[Dataset, ...] = (
    Dataset("subscriptions", Category.NEWSLETTER, Basis.CONSENT, portable=True),
    Dataset("newsletter_user", Category.NEWSLETTER, Basis.CONSENT, portable=True),
)
