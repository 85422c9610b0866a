"""A status's `content`: its text as safe HTML, with links built from its entities.

The text is escaped whole; mentions and hashtags become the links Mastodon clients know
(`u-url mention`, `mention hashtag`), placed by the entities' offsets (code points of the
stored text); web addresses become links; blank lines separate paragraphs and single line
breaks become `<br />`.
"""

import html
import re
from typing import Any
from urllib.parse import quote

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)


def _link(url: str) -> str:
    shown = html.escape(re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE))
    return f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener noreferrer">{shown}</a>'


def _plain(text: str) -> str:
    """Escaped text with its web addresses linked."""
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(_link(match.group(0)))
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _pieces(text: str, mentions: list[dict[str, Any]], hashtags: list[dict[str, Any]], origin: str) -> str:
    spans = sorted(
        [(m["start"], m["end"], "mention", m) for m in mentions] + [(h["start"], h["end"], "tag", h) for h in hashtags],
        key=lambda span: span[0],
    )
    out, last = [], 0
    for start, end, kind, entity in spans:
        if start < last or end > len(text):
            continue  # overlapping or out of range: shown as text
        out.append(_plain(text[last:start]))
        if kind == "mention":
            name = html.escape(entity["username"])
            url = html.escape(f"{origin}/@{entity['username']}")
            link = f'<a href="{url}" class="u-url mention">@<span>{name}</span></a>'
            out.append(f'<span class="h-card" translate="no">{link}</span>')
        else:
            tag = text[start + 1 : end]
            url = html.escape(f"{origin}/tags/{quote(tag.lower())}")
            out.append(f'<a href="{url}" class="mention hashtag" rel="tag">#<span>{html.escape(tag)}</span></a>')
        last = end
    out.append(_plain(text[last:]))
    return "".join(out)


def render(text: str, *, mentions: list[dict[str, Any]], hashtags: list[dict[str, Any]], origin: str) -> str:
    body = _pieces(text, mentions, hashtags, origin)
    paragraphs = [part for part in re.split(r"\n{2,}", body) if part.strip()]
    return "".join(f"<p>{part.replace(chr(10), '<br />')}</p>" for part in paragraphs)


def note(text: str) -> str:
    """A profile's bio as HTML."""
    return render(text, mentions=[], hashtags=[], origin="") if text else ""
