"""Who a story quotes: its posts' authors by network, and messages that tell them.

Each URL item's author comes from its snapshot's card (handle, name, profile), else
from the URL itself (``/@user``, ``bsky.app/profile/HANDLE``, ``x.com/user``). The
network comes from the post's host (X, Bluesky, Threads, Instagram, YouTube...) or,
for any other host, from a ``@user@host`` handle: the fediverse (Mastodon).

Messages start with "You are quoted in TITLE: URL" and mention the handles, split to
fit each network's length limit, never cutting a handle. Lengths are measured as each
network counts them, or a little above (a link counts 23 characters on X and Mastodon;
X counts characters outside Latin and common punctuation twice; Bluesky counts
graphemes, never more than the code points counted here; Mastodon counts a mention
``@user@host`` as ``@user``, counted here in full).

Everything the command prints, the report as well as the messages, is in the story's
language, as its page is: the curator of a Swedish story reads Swedish here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from storyboard.commands.feedback import Feedback, Note, Outcome
from storyboard.commands.opened import open_story
from storyboard.errors import UsageError
from storyboard.extract.handles import handle_from_author_url
from storyboard.i18n import translate, translate_plural
from storyboard.model.snapshot import Snapshot
from storyboard.model.story import Story
from storyboard.urls import check_http_url, host_of, normalize_url, site_host

#: Written where the page's address goes when none is given (English; see
#: ``url_placeholder``); measured as a long link.
URL_PLACEHOLDER = "<URL of your page>"
#: Characters a link takes on a network that counts it in full, when it is not known yet.
_UNKNOWN_LINK_LENGTH = 100
_LINK = re.compile(r"https?://\S+")
_SHORT_LINK = 23  # X (t.co) and Mastodon count every link as 23 characters
_MIN_TITLE = 12
_FEDIVERSE_HANDLE = re.compile(r"^@[^@\s]+@[^@\s]+\.[^@\s]+$")


def _x_weight(text: str) -> int:
    """Count as X does: Latin and common punctuation 1, other characters 2."""
    total = 0
    for char in text:
        point = ord(char)
        light = (
            point <= 0x10FF
            or 0x2000 <= point <= 0x200D
            or 0x2010 <= point <= 0x201F
            or 0x2032 <= point <= 0x2037
        )
        total += 1 if light else 2
    return total


def url_placeholder(lang: str) -> str:
    """Return what stands for the page's address in ``lang`` until the curator gives it."""
    return translate(lang, "quoted_url_placeholder")


def _measure(
    text: str,
    *,
    short_links: bool,
    weight: Callable[[str], int] = len,
    placeholder: str = URL_PLACEHOLDER,
) -> int:
    """Return the length of ``text`` with its links counted as the network counts them."""
    # The placeholder stands for a link: a short one where links count 23 characters.
    stand_in = "https://" + "x" * ((_SHORT_LINK if short_links else _UNKNOWN_LINK_LENGTH) - 8)
    text = text.replace(placeholder, stand_in)
    total = 0
    position = 0
    for match in _LINK.finditer(text):
        total += weight(text[position : match.start()])
        total += _SHORT_LINK if short_links else len(match.group(0))
        position = match.end()
    return total + weight(text[position:])


@dataclass(frozen=True)
class Network:
    """A network people can be told on: its name, how to mention, its length limit."""

    key: str
    name: str
    limit: int | None = None  # None: storyboard makes no message for it
    unit: str = "characters"  # how the limit counts: "characters" or "graphemes"
    short_links: bool = False
    weighted: bool = False

    def measure(self, text: str, *, placeholder: str = URL_PLACEHOLDER) -> int:
        """Return the length of ``text`` as this network counts it (or slightly more).

        ``placeholder``, where it stands for the page's address, counts as a link.
        """
        return _measure(
            text,
            short_links=self.short_links,
            weight=_x_weight if self.weighted else len,
            placeholder=placeholder,
        )


MASTODON = Network("mastodon", "Mastodon", limit=500, short_links=True)
BLUESKY = Network("bluesky", "Bluesky", limit=300, unit="graphemes")
X = Network("x", "X", limit=280, short_links=True, weighted=True)
THREADS = Network("threads", "Threads", limit=500)

_NETWORKS_BY_HOST = {
    "twitter.com": X,
    "bsky.app": BLUESKY,
    "threads.net": THREADS,
    "www.threads.net": THREADS,
    "threads.com": THREADS,
    "www.threads.com": THREADS,
}


@dataclass
class QuotedPerson:
    """One author quoted in the story."""

    handle: str | None
    name: str | None
    profile_url: str | None
    items: int = 0


@dataclass
class NetworkGroup:
    """The people quoted on one network, in the order the story first quotes them."""

    network: Network
    people: list[QuotedPerson] = field(default_factory=list)

    @property
    def items(self) -> int:
        """Return how many of the story's items these people posted."""
        return sum(person.items for person in self.people)

    @property
    def handles(self) -> list[str]:
        """Return the handles to mention, once each."""
        return [person.handle for person in self.people if person.handle]


@dataclass
class QuotedReport:
    """Everyone a story quotes, by network, and the items whose author is unknown."""

    groups: list[NetworkGroup]
    unknown: list[str]  # URLs of items with no known author (no snapshot yet, say)


def _network_for(url: str, handle: str | None, provider: str | None) -> Network:
    host = host_of(normalize_url(url))
    known = _NETWORKS_BY_HOST.get(host)
    if known is not None:
        return known
    if handle and _FEDIVERSE_HANDLE.match(handle):
        return MASTODON
    label = provider or site_host(host) or "other"
    return Network(f"other:{label.lower()}", label)


def _profile_url(network: Network, handle: str) -> str | None:
    name = handle.removeprefix("@")
    if network is MASTODON and "@" in name:
        user, host = name.split("@", 1)
        return f"https://{host}/@{user}"
    if network is BLUESKY:
        return f"https://bsky.app/profile/{name}"
    if network is X:
        return f"https://x.com/{name}"
    if network is THREADS:
        return f"https://www.threads.net/@{name}"
    return None


def quoted_people(story: Story, snapshots: Mapping[str, Snapshot]) -> QuotedReport:
    """Group the authors of ``story``'s URL items by network; ``snapshots`` by normalized URL."""
    groups: dict[str, NetworkGroup] = {}
    people: dict[tuple[str, str], QuotedPerson] = {}
    unknown: list[str] = []
    for item in story.url_items():
        snapshot = snapshots.get(normalize_url(item.url))
        card = snapshot.card if snapshot is not None else None
        handle = (card.author_handle if card else None) or handle_from_author_url(
            card.author_url if card else None
        )
        handle = handle or handle_from_author_url(item.url)
        name = card.author_name if card else None
        if not handle and not name:
            unknown.append(item.url)
            continue
        network = _network_for(item.url, handle, card.provider_name if card else None)
        group = groups.setdefault(network.key, NetworkGroup(network))
        identity = (network.key, (handle or name or "").lower())
        person = people.get(identity)
        if person is None:
            profile = (card.author_url if card else None) or (
                _profile_url(network, handle) if handle else None
            )
            person = QuotedPerson(handle=handle, name=name, profile_url=profile)
            people[identity] = person
            group.people.append(person)
        person.name = person.name or name
        person.items += 1
    return QuotedReport(groups=list(groups.values()), unknown=unknown)


def _header(title: str, url: str, lang: str) -> str:
    # The message goes to the story's readers: in the story's language, like the page.
    return translate(lang, "quoted_header", title=title, url=url)


def _fitting_title(title: str, url: str, network: Network, longest: str, lang: str) -> str:
    """Shorten ``title`` (with an ellipsis) until the header and one handle fit the limit."""
    limit = network.limit
    assert limit is not None

    placeholder = url_placeholder(lang)

    def fits(candidate: str) -> bool:
        text = f"{_header(candidate, url, lang)}\n{longest}"
        return network.measure(text, placeholder=placeholder) <= limit

    words = " ".join(title.split())
    if fits(words):
        return words
    shortened = words
    while len(shortened) > _MIN_TITLE:
        shortened = shortened[:-1]
        candidate = shortened.rstrip(" .,:;-") + "…"
        if fits(candidate):
            return candidate
    return shortened.rstrip(" .,:;-") + "…"


def quoted_messages(
    network: Network, handles: list[str], *, title: str, url: str | None, lang: str = "en"
) -> list[str]:
    """Return the messages that mention ``handles`` on ``network``, each within its limit.

    Each message is the header line, then as many handles as fit, space separated.
    A handle too long to fit beside the header still gets a message of its own.
    """
    if network.limit is None or not handles:
        return []
    placeholder = url_placeholder(lang)
    page = url or placeholder
    longest = max(handles, key=len)
    header = _header(_fitting_title(title, page, network, longest, lang), page, lang)
    messages: list[str] = []
    current: list[str] = []
    for handle in handles:
        candidate = f"{header}\n{' '.join([*current, handle])}"
        if current and network.measure(candidate, placeholder=placeholder) > network.limit:
            messages.append(f"{header}\n{' '.join(current)}")
            current = [handle]
        else:
            current.append(handle)
    messages.append(f"{header}\n{' '.join(current)}")
    return messages


def report_lines(
    report: QuotedReport, *, title: str, url: str | None, lang: str = "en"
) -> list[str]:
    """Return the people by network, then each network's messages, as lines to print."""

    def items(count: int) -> str:
        return translate_plural(lang, "quoted_items", count)

    placeholder = url_placeholder(lang)
    lines: list[str] = []
    for group in report.groups:
        network = group.network
        people = translate_plural(lang, "quoted_people", len(group.people))
        lines.append(
            translate(
                lang, "quoted_group", network=network.name, people=people, items=items(group.items)
            )
        )
        for person in group.people:
            parts = [person.handle or "-", person.name or "-", person.profile_url or "-"]
            lines.append("  ".join([*parts, f"({items(person.items)})"]))
        messages = quoted_messages(network, group.handles, title=title, url=url, lang=lang)
        for number, message in enumerate(messages, start=1):
            lines.append("")
            lines.append(
                translate(
                    lang,
                    "quoted_message",
                    number=number,
                    total=len(messages),
                    network=network.name,
                    size=network.measure(message, placeholder=placeholder),
                    limit=network.limit,
                    unit=translate(lang, f"quoted_unit_{network.unit}"),
                )
            )
            lines.extend(message.splitlines())
        if network.limit is None:
            lines.append(translate(lang, "quoted_no_message", network=network.name))
        lines.append("")
    return lines


def quoted(story_path: Path, feedback: Feedback, *, page_url: str | None = None) -> Outcome:
    """Report the people ``story_path`` quotes, from the story and its snapshots only."""
    if page_url is not None:
        try:
            page_url = check_http_url(page_url)
        except ValueError as exc:
            raise UsageError(f"--url: {exc}") from exc
    opened = open_story(story_path, feedback)
    lang = opened.story.lang
    report = quoted_people(opened.story, opened.load_snapshots().as_mapping())
    notes = []
    if not report.groups:
        notes.append(Note(translate(lang, "quoted_none_found")))
    notes.extend(
        Note(translate(lang, "quoted_unknown_author", url=url), "note") for url in report.unknown
    )
    if page_url is None and report.groups:
        placeholder = url_placeholder(lang)
        notes.append(Note(translate(lang, "quoted_no_url", placeholder=placeholder), "note"))
    lines = report_lines(report, title=opened.story.title, url=page_url, lang=lang)
    return Outcome(lines=lines, notes=notes)
