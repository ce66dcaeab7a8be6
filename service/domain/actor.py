"""The caller of a use case: a user with their communities and their own student profile."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.tables import Role, User


@dataclass(frozen=True)
class Actor:
    """The caller: the user, their communities, and their own organisation or profile."""

    user: User
    community_ids: frozenset[str]
    student_id: str | None

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def in_community(self, community_id: str) -> bool:
        """Admins are in every community; everyone else in their memberships."""
        return self.is_admin or community_id in self.community_ids

    def shares_community(self, community_ids: set[str] | frozenset[str]) -> bool:
        return self.is_admin or bool(self.community_ids & set(community_ids))

    def manages(self, community_ids: set[str] | frozenset[str]) -> bool:
        """Admins, and intermediaries of one of these communities."""
        return self.is_admin or (
            self.role is Role.intermediary and self.shares_community(community_ids)
        )
