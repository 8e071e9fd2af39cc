"""Text that blogs and site generators show as it is, never run as their template code.

Jekyll and Eleventy run Liquid or Nunjucks over Markdown (``{{ }}``, ``{% %}``, ``{# #}``),
Hugo reads shortcodes (``{{< >}}``, ``{{% %}}``) and WordPress its own (``[gallery]``). A
post's text or an author's name carrying those would become code on every reader's page
or break the build. The characters that open and close them are written as numeric
character references: every generator leaves ``&#123;`` alone, and the browser (and any
Markdown renderer, which decodes references in text) shows ``{`` again.

Only for HTML text and attribute values: references are not decoded inside ``<script>``
or ``<style>``, so those must never go through here.
"""

from __future__ import annotations

_TEMPLATE_SYNTAX = str.maketrans(
    {
        "{": "&#123;",
        "}": "&#125;",
        "[": "&#91;",
        "]": "&#93;",
    }
)


def inert_html(html: str) -> str:
    """Return ``html`` (text and attribute values) with template delimiters as references."""
    if "{" in html or "}" in html or "[" in html or "]" in html:
        return html.translate(_TEMPLATE_SYNTAX)
    return html  # most text has none: four scans cost less than one translation


def inert_markdown_text(text: str) -> str:
    """Return Markdown inline text with braces as references (a heading's, already escaped).

    Brackets stay: in Markdown they are the curator's (escaped) link syntax, and no
    generator's template language starts with them.
    """
    return text.replace("{", "&#123;").replace("}", "&#125;")
