"""Keyset (cursor) pagination on an indexed column: no COUNT(*), stable under inserts."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"
