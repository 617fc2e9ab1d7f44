"""``visible_to(user)``: the one place that decides which agencies' records a user may see.

Rules (ARCHITECTURE.md, rule 2):
- an officer sees the records of every agency where they hold an active role;
- a leader or an administrator of an agency also sees its whole subtree (a district leader
  sees the communes and departments under the district);
- officers of an agency that others were merged into also see the merged agencies' records
  (the history stays with the successor);
- superusers see everything; citizens and anonymous users see no agency records (the portal
  scopes citizens' own records by owner, not by agency).

Domain querysets inherit :class:`ScopedQuerySet` and name their agency column in
``agency_field``. This module imports no models at import time, so every app may use it.
"""

from __future__ import annotations

from django.db import models

SUBTREE_ROLES = {"leader", "admin"}


def visible_agency_ids(user) -> frozenset[int] | None:
    """Ids of the agencies whose records ``user`` may see; ``None`` means all of them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    cached = getattr(user, "_egov_visible_agency_ids", None)
    if cached is not None:
        return cached
    from egov.accounts.models import Membership
    from egov.organizations.models import Agency

    ids: set[int] = set()
    subtree_paths: list[str] = []
    for agency_id, role, path in Membership.objects.filter(user=user, is_active=True).values_list(
        "agency_id", "role", "agency__path"
    ):
        ids.add(agency_id)
        if role in SUBTREE_ROLES:
            subtree_paths.append(path)
    if subtree_paths:
        q = models.Q()
        for path in subtree_paths:
            q |= models.Q(path__startswith=path)
        ids.update(Agency.objects.filter(q).values_list("id", flat=True))
    # Records of agencies merged into a visible one stay readable by the successor's officers.
    frontier = set(ids)
    while frontier:
        frontier = (
            set(Agency.objects.filter(successor_id__in=frontier).values_list("id", flat=True)) - ids
        )
        ids.update(frontier)
    result = frozenset(ids)
    user._egov_visible_agency_ids = result
    return result


class ScopedQuerySet(models.QuerySet):
    #: the lookup path from this model to its owning agency's id, e.g. "agency_id", "dossier__agency_id".
    agency_field = "agency_id"

    def visible_to(self, user):
        ids = visible_agency_ids(user)
        if ids is None:
            return self.all()
        if not ids:
            return self.none()
        return self.filter(**{f"{self.agency_field}__in": ids})
