"""Read queries of the agency tree. Scoping always goes through ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from egov.core.text import search
from egov.organizations.models import Agency, AgencyMerge, BridgePoint

SEARCH_FIELDS = ["name", "short_name", "code"]


def visible_agencies(
    user, *, on: dt.date | None = None, include_inactive: bool = False, q: str = ""
) -> QuerySet[Agency]:
    """Agencies ``user`` may see, active on ``on`` (default today) unless ``include_inactive``,
    matching ``q`` (diacritics ignored), ordered by path (a depth-first walk of the tree)."""
    qs = Agency.objects.visible_to(user).select_related("parent", "successor")
    if not include_inactive:
        qs = qs.active(on or timezone.localdate())
    if q:
        qs = search(qs, q, SEARCH_FIELDS)
    return qs.order_by("path")


@dataclass
class TreeNode:
    agency: Agency
    matched: bool = True
    children: list[TreeNode] = field(default_factory=list)


def build_tree(agencies: list[Agency], matched_ids: set[int] | None = None) -> list[TreeNode]:
    """Nest agencies (ordered by path) under their nearest ancestor in the list; the others are
    roots. ``matched_ids`` marks search hits (the rest are shown as context)."""
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for agency in sorted(agencies, key=lambda a: a.path):
        node = TreeNode(agency, matched=matched_ids is None or agency.pk in matched_ids)
        nodes[agency.pk] = node
        ancestor_ids = [int(x) for x in agency.path.strip("/").split("/") if x][:-1]
        parent = next((nodes[i] for i in reversed(ancestor_ids) if i in nodes), None)
        (parent.children if parent else roots).append(node)
    _sort_siblings(roots)
    return roots


def _sibling_key(node: TreeNode) -> tuple:
    # Units (departments, one-stop) before subordinate governments, then by code; paths hold
    # ids as text, whose order ("/10/" < "/9/") means nothing to a reader.
    return (node.agency.kind in Agency.GOVERNMENT_KINDS, node.agency.code, node.agency.pk)


def _sort_siblings(nodes: list[TreeNode]) -> None:
    nodes.sort(key=_sibling_key)
    for node in nodes:
        _sort_siblings(node.children)


def agency_tree(
    user, *, on: dt.date | None = None, include_inactive: bool = False, q: str = ""
) -> tuple[list[TreeNode], int]:
    """The tree of agencies visible to ``user``. With a search, the hits are shown with their
    visible ancestors for context. Returns (roots, number of hits)."""
    base = visible_agencies(user, on=on, include_inactive=include_inactive)
    if not q:
        agencies = list(base)
        return build_tree(agencies), len(agencies)
    hits = list(search(base, q, SEARCH_FIELDS))
    hit_ids = {a.pk for a in hits}
    ancestor_ids = {
        int(x) for a in hits for x in a.path.strip("/").split("/") if x and int(x) not in hit_ids
    }
    context = list(base.filter(pk__in=ancestor_ids)) if ancestor_ids else []
    return build_tree(hits + context, hit_ids), len(hits)


def tree_rows(roots: list[TreeNode]) -> list[dict]:
    """Flatten a tree into open/item/close tokens, so that a template renders nested ``<ul>``
    lists without recursion: ``{"open": True}``, ``{"node": n}``, ``{"end": True}``,
    ``{"close": True}``."""
    rows: list[dict] = []

    def walk(nodes: list[TreeNode]) -> None:
        rows.append({"open": True})
        for node in nodes:
            rows.append({"node": node, "has_children": bool(node.children)})
            if node.children:
                walk(node.children)
            rows.append({"end": True})
        rows.append({"close": True})

    if roots:
        walk(roots)
    return rows


@dataclass
class AgencyHistory:
    agency: Agency
    #: agencies merged into this one, directly or through earlier merges, latest end first
    predecessors: list[Agency]
    #: where this agency went: its successor, that one's successor, …
    successors: list[Agency]
    #: merge and dissolution events in which this agency was a source or the target
    merges: list[AgencyMerge]


def agency_history(agency: Agency) -> AgencyHistory:
    agency = Agency.objects.select_related("successor", "parent").get(pk=agency.pk)
    predecessors: list[Agency] = []
    seen = {agency.pk}
    frontier = [agency.pk]
    while frontier:
        found = list(
            Agency.objects.filter(successor_id__in=frontier)
            .exclude(pk__in=seen)
            .select_related("successor", "parent")
        )
        predecessors += found
        seen.update(a.pk for a in found)
        frontier = [a.pk for a in found]
    predecessors.sort(key=lambda a: (a.effective_to or dt.date.max, a.path), reverse=True)

    successors: list[Agency] = []
    node = agency
    while node.successor_id and node.successor_id not in seen:
        node = Agency.objects.select_related("successor").get(pk=node.successor_id)
        successors.append(node)
        seen.add(node.pk)

    merges = list(
        AgencyMerge.objects.filter(Q(target=agency) | Q(sources=agency))
        .select_related("target")
        .prefetch_related("sources")
        .distinct()
        .order_by("-effective_date", "-id")
    )
    return AgencyHistory(agency, predecessors, successors, merges)


def visible_bridge_points(user, *, status: str = "", q: str = "") -> QuerySet[BridgePoint]:
    qs = BridgePoint.objects.visible_to(user).select_related("agency")
    if status:
        qs = qs.filter(equipment_status=status)
    if q:
        qs = search(qs, q, ["name", "location", "agency__name"])
    return qs.order_by("agency__path", "name")


def bridge_point_counts(user) -> list[dict]:
    """Count of bridge points in use per equipment status, every status listed (0 included)."""
    rows = (
        BridgePoint.objects.visible_to(user)
        .filter(is_active=True)
        .order_by()
        .values("equipment_status")
        .annotate(n=Count("id"))
    )
    counts = {row["equipment_status"]: row["n"] for row in rows}
    return [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in BridgePoint.Equipment.choices
    ]
