"""Web pages as articles: the main content only.

The page's main content is its ``<main>`` (or ``role="main"``), else its largest ``<article>``,
else its body.  Inside it, what is never article text is dropped: navigation, headers,
footers, asides, forms, buttons, and elements whose class, id or role names page furniture
(cookie banners, share buttons, menus, breadcrumbs, related links, newsletters, adverts);
then the furniture lines every format drops.  Headings become sections, ``<li>`` list items.
The page's canonical link (``<link rel="canonical">`` or ``og:url``) is its URL.
"""

from __future__ import annotations

import re

from chatbot.ingest.plain import Block, is_furniture

_NEVER_CONTENT = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg",
                  "button", "iframe", "dialog", "select", "input")
_FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert", "menu", "menubar"}
_FURNITURE_WORDS = {
    "cookie", "cookies", "consent", "gdpr", "banner", "share", "sharing", "social", "newsletter", "subscribe",
    "signup", "related", "recommended", "breadcrumb", "breadcrumbs", "menu", "nav", "navbar", "navigation", "sidebar",
    "footer", "header", "masthead", "ad", "ads", "advert", "advertisement", "sponsored", "promo", "popup", "modal",
    "comments", "skip", "toolbar", "print", "pagination", "widget",
}
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tr", "td", "th",
    "blockquote", "pre", "dl", "dt", "dd", "figure", "figcaption", "br", "hr", "body",
} | set(_HEADINGS)


def parse_html(raw: str) -> tuple[dict, str, list[Block]]:
    """(metadata, title, blocks) of a web page; metadata has the page's canonical ``url`` when it names one."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    title = _page_title(soup)
    meta = {"url": url} if (url := _canonical_url(soup)) else {}
    for tag in soup.find_all(_NEVER_CONTENT) + [soup.find("title")]:
        if tag is not None:
            tag.decompose()
    for tag in [t for t in soup.find_all(True) if _is_furniture_element(t)]:
        if not tag.decomposed:
            tag.decompose()
    return meta, title, _blocks(_paragraphs(_main_content(soup)), title)


def _page_title(soup) -> str:
    tag = soup.find("title") or soup.find("h1")
    title = " ".join(tag.get_text(" ").split()) if tag else ""
    h1 = soup.find("h1")
    heading = " ".join(h1.get_text(" ").split()) if h1 else ""
    # "Gout | Health Site" with <h1>Gout</h1>: the page's own heading, less the site's name
    if heading and title != heading and title.startswith(heading) and re.match(r"\s*[|–—:-]", title[len(heading):]):
        return heading
    return title


def _canonical_url(soup) -> str:
    link = soup.find("link", rel="canonical")
    og = soup.find("meta", attrs={"property": "og:url"})
    url = (link.get("href") if link else "") or (og.get("content") if og else "") or ""
    return url.strip() if url.strip().startswith(("http://", "https://")) else ""


def _is_furniture_element(tag) -> bool:
    if tag.attrs is None or tag.name in ("html", "body", "main", "article"):
        return False
    if str(tag.get("role", "")).casefold() in _FURNITURE_ROLES or tag.get("aria-hidden") == "true":
        return True
    names = " ".join([*tag.get("class", []), str(tag.get("id", ""))]).casefold()
    return any(word in _FURNITURE_WORDS for word in re.split(r"[^a-z]+", names))


def _main_content(soup):
    main = soup.find("main") or soup.find(attrs={"role": "main"})
    if main is not None:
        return main
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text(" ", strip=True)))
    return soup.body or soup


def _paragraphs(root) -> list[tuple[str, str]]:
    """(kind, text) of every paragraph under ``root`` in reading order; kind "h", "li" or "p"."""
    from bs4 import NavigableString, Tag

    paragraphs: list[tuple[str, str]] = []
    buffer: list[str] = []

    def flush(kind: str = "p") -> None:
        text = " ".join("".join(buffer).split())
        buffer.clear()
        if text and not is_furniture(text):
            paragraphs.append((kind, text))

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # skip comments, doctype, CDATA
                    buffer.append(str(child))
            elif isinstance(child, Tag):
                if child.name in _BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush("h" if child.name in _HEADINGS else "li" if child.name == "li" else "p")
                else:
                    walk(child)

    walk(root)
    flush()
    return paragraphs


def _blocks(paragraphs: list[tuple[str, str]], title: str) -> list[Block]:
    blocks: list[Block] = []
    heading, body = "", []
    for kind, text in paragraphs:
        if kind == "h":
            blocks.append((heading, "\n\n".join(body)))
            heading, body = ("" if text == title else text), []
        else:
            body.append(f"- {text}" if kind == "li" else text)
    blocks.append((heading, "\n\n".join(body)))
    return blocks
