"""Membership roles and what each may do, from least to most trusted."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    """A member's role in one organization. Each role may do everything the ones below it may.

    viewer: read results and reports; contributor: answer questions; assessor: start, import and
    export assessments; admin: manage members (later); owner: everything, including deletion.
    """

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    ASSESSOR = "assessor", "Assessor"
    CONTRIBUTOR = "contributor", "Contributor"
    VIEWER = "viewer", "Viewer"

    @property
    def rank(self) -> int:
        return _RANKS.index(self)

    @property
    def answers(self) -> bool:
        """Whether this role answers questions at all (templates cannot call ``allows``)."""
        return self.allows(Role.CONTRIBUTOR)

    def allows(self, minimum: Role) -> bool:
        """Whether a member with this role may do what needs at least ``minimum``."""
        return self.rank >= minimum.rank


_RANKS = (Role.VIEWER, Role.CONTRIBUTOR, Role.ASSESSOR, Role.ADMIN, Role.OWNER)
