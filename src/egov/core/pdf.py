"""HTML → PDF with WeasyPrint, for legal forms (receipt slips, notices, receipts, registers).

Templates extend ``core/pdf_base.html``: A4, the margins and type sizes of Nghị định 30/2020
Phụ lục I, and the bundled Liberation Serif (metric-compatible with Times New Roman, full
Vietnamese glyphs, SIL OFL), so a PDF looks the same on every server whatever fonts it has.

Rendering never touches the network: the URL fetcher serves ``data:`` URLs and local files
only. ``{% static %}`` works in PDF templates: with the default ``base_url`` (``file:///``) a
path under ``STATIC_URL`` is served from the static files (collected ``STATIC_ROOT`` first,
then the finders). Other ``file:`` URLs must point inside a static folder, the local media
folder, or the folder of an explicit ``base_url``. Anything else stops the rendering with
:class:`PdfRenderError`, so a form never goes out with a missing font, seal or QR code.

WeasyPrint takes most of a second to import: it is imported inside :func:`render_pdf`, never
at module level, so that web and worker start-up stay fast.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string

FONT_DIR = Path(__file__).resolve().parent / "static" / "core" / "fonts"
FONT_FAMILY = "Liberation Serif"


class PdfRenderError(RuntimeError):
    """A PDF could not be rendered (a resource was refused or missing)."""


class RefusedURL(ValueError):
    pass


def render_pdf(
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    base_url: str | None = None,
    forms: bool = False,
) -> bytes:
    """Render a Django template to PDF bytes.

    ``base_url`` resolves relative URLs in the template; it must be a ``file:`` URL (default
    ``file:///``, which makes ``{% static %}`` paths resolve to the static files) and its folder
    becomes readable to the template.
    """
    from weasyprint import HTML, urls
    from weasyprint.text.fonts import FontConfiguration

    if base_url is None:
        base_url = "file:///"
    elif urlsplit(base_url).scheme != "file":
        raise ValueError(
            f"base_url must be a file: URL (PDF rendering makes no network calls), got {base_url!r}"
        )

    html = render_to_string(template_name, context or {})
    fetcher = make_url_fetcher(extra_roots=[] if base_url == "file:///" else [_path_of(base_url)])
    font_config = FontConfiguration()
    # A refusal raises FatalURLFetchingError, a BaseException so that WeasyPrint does not
    # swallow it; it becomes a plain error here.
    fatal = getattr(urls, "FatalURLFetchingError", RefusedURL)
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        # forms: <input> elements become PDF text fields (filled after signing, e.g. the
        # number and date of issue of an outgoing document)
        return document.write_pdf(font_config=font_config, pdf_forms=forms)
    except fatal as exc:
        cause = exc.__cause__ or exc
        raise PdfRenderError(f"{template_name}: {cause}") from cause


# --- URL fetching ---------------------------------------------------------------------------


def _path_of(file_url: str) -> Path:
    parts = urlsplit(file_url)
    if parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"file URL on another host refused: {file_url}")
    return Path(url2pathname(parts.path))


def allowed_roots(extra: list[Path] | None = None) -> list[Path]:
    """Folders a PDF template may read files from."""
    from django.contrib.staticfiles import finders

    roots = [FONT_DIR.parent.parent]
    for finder in finders.get_finders():
        roots += [Path(storage.location) for storage in getattr(finder, "storages", {}).values()]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    default_backend = settings.STORAGES.get("default", {}).get("BACKEND", "")
    if default_backend.endswith("FileSystemStorage") and settings.MEDIA_ROOT:
        roots.append(Path(settings.MEDIA_ROOT))
    roots += extra or []
    return [root.resolve() for root in roots]


def resolve_local_url(url: str, roots: list[Path]) -> Path:
    """The local file a ``file:`` URL stands for, or :class:`RefusedURL`."""
    scheme = urlsplit(url).scheme.lower()
    if scheme != "file":
        raise RefusedURL(
            f"only file: and data: URLs are fetched when rendering a PDF, refused: {url[:200]}"
        )
    raw = url2pathname(urlsplit(url).path)
    static_url = settings.STATIC_URL or ""
    if static_url.startswith("/") and raw.startswith(static_url):
        found = _find_static(raw[len(static_url) :])
        if found is None:
            raise RefusedURL(f"static file not found: {raw}")
        return found
    path = _path_of(url).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise RefusedURL(f"file outside the static and media folders refused: {path}")
    if not path.is_file():
        raise RefusedURL(f"file not found: {path}")
    return path


def _find_static(relative: str) -> Path | None:
    from django.contrib.staticfiles import finders

    relative = relative.lstrip("/")
    if ".." in Path(relative).parts:
        return None
    if settings.STATIC_ROOT:
        collected = Path(settings.STATIC_ROOT) / relative
        if collected.is_file():
            return collected.resolve()
    found = finders.find(relative)
    return Path(found).resolve() if found else None


def make_url_fetcher(extra_roots: list[Path] | None = None):
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and allowed local files and refuses
    everything else (http, https, ftp, …). A refusal stops the rendering."""
    roots = allowed_roots(extra_roots)

    try:
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except ImportError:  # WeasyPrint < 66: url fetchers are plain functions
        from weasyprint import default_url_fetcher

        def fetch_function(url: str, timeout: int = 10, ssl_context=None):
            if url.startswith("data:"):
                return default_url_fetcher(url)
            path = resolve_local_url(url, roots)
            mime, _ = mimetypes.guess_type(path.name)
            return {"string": path.read_bytes(), "mime_type": mime, "redirected_url": path.as_uri()}

        return fetch_function

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = resolve_local_url(url, roots)
            mime, _ = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                path.as_uri(),
                body=path.read_bytes(),
                headers={"Content-Type": mime or "application/octet-stream"},
            )

    return LocalOnlyFetcher(
        allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True
    )
