"""The auto-reply gate: RFC 3834 loop prevention, ``once_per`` and rate limits.

Pure functions, no I/O: the caller passes the mail's headers, the sender and the reply
history. Each returns a `Suppression` (a stable ``code`` and a human ``reason``) or None.
Only replies are gated; ``notify`` and ``webhook`` effects are never suppressed here.

**Mail that is never answered automatically** (`mail_suppression`). The checks run in this
fixed order and the first that matches is reported. Header names and the values below are
compared case-insensitively, after trimming white space:

1. ``auto-submitted`` - an ``Auto-Submitted`` header whose keyword (the value before any
   ``;`` parameters) is not ``no``. An empty value counts as "not no": people's mail
   programs never write the header, so it is safer to stay silent.
2. ``precedence`` - ``Precedence`` is ``bulk``, ``list``, ``junk`` or ``auto_reply``.
3. ``list-header`` - any header whose name starts with ``List-`` (``List-Id``,
   ``List-Unsubscribe``, ...).
4. ``x-auto-response-suppress`` - an ``X-Auto-Response-Suppress`` header with any value but
   ``None`` (Microsoft's way of saying "suppress nothing").
5. ``x-loop`` - any ``X-Loop`` header.
6. ``null-return-path`` - ``Return-Path`` is the null path ``<>``.
7. ``robot-sender`` - the sender's local part is ``mailer-daemon``, ``postmaster``,
   ``no-reply``, ``noreply``, ``do-not-reply`` or ``donotreply``, or has ``noreply``,
   ``no-reply``, ``do-not-reply`` (any of ``-``, ``_``, ``.`` or nothing between the words)
   as a whole part between ``-``, ``_`` and ``.``: ``newsalerts-noreply``,
   ``no_reply.billing``. A ``+tag`` is removed first, so ``no-reply+bounces@example.com``
   is a robot too.
8. ``own-address`` - the sender is one of our own addresses (a reply would go to us): an
   address listed in the rule set's ``replies: own_addresses`` (or its ``from``), or any
   address of a domain listed as ``*@domain`` (that domain exactly, not its subdomains).

The sender may be written bare (``a@example.com``) or with a display name
(``Ann <a@example.com>``).

**History** (`history_suppression`). ``once_per`` counts earlier replies to the same
requester *of any template*: DESIGN.md says "more than once per requester per ``once_per``
window". A reply at exactly ``now - once_per`` or at ``now`` is inside the window; records
after ``now`` are ignored. Rate limits are tiers ``(limit, window)``: a tier suppresses when
the replies to that recipient inside its window already number ``limit`` (a record at exactly
``now - window`` is inside). A rule set without ``rate_limits`` gets `DEFAULT_RATE_LIMITS`
(docs/decisions/0010). Addresses are compared case-insensitively. Without history nothing is
suppressed.

**The whole gate** (`reply_gate`; `gate_reply` takes the same arguments by position, as the
engine calls it for every reply) runs every check in the order of `CHECKS` and says which
ones the reply passed, so a decision records why a reply was sent as well as why one was not.

**Codes.** ``spam`` and ``no-reply`` come from the ticket (`ticket_suppression`); the others
from the functions above. They are the `Suppression.code` values the decision's trace shows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from routing.dsl.durations import format_duration
from routing.errors import EvaluationError

__all__ = [
    "CHECKS",
    "DEFAULT_RATE_LIMITS",
    "PRECEDENCE_VALUES",
    "ROBOT_LOCAL_PARTS",
    "GateOutcome",
    "ReplyRecord",
    "Suppression",
    "TierCount",
    "gate_reply",
    "history_suppression",
    "mail_suppression",
    "reply_gate",
    "reply_headers",
    "ticket_suppression",
]

#: Every check of the gate, in the order it runs; a suppression carries one of these codes.
CHECKS: tuple[str, ...] = (
    "spam",
    "no-reply",
    "auto-submitted",
    "precedence",
    "list-header",
    "x-auto-response-suppress",
    "x-loop",
    "null-return-path",
    "robot-sender",
    "own-address",
    "no-recipient",
    "once-per",
    "rate-limit",
)

#: Per-recipient tiers ``(limit, window)`` for rule sets that set no ``rate_limits``
#: (docs/decisions/0010-reply-rate-limit-defaults.md).
DEFAULT_RATE_LIMITS: tuple[tuple[int, timedelta], ...] = (
    (10, timedelta(minutes=10)),
    (30, timedelta(hours=1)),
    (100, timedelta(hours=10)),
)

#: ``Precedence`` values that mark mail not to be answered automatically (case-folded).
PRECEDENCE_VALUES: frozenset[str] = frozenset({"bulk", "list", "junk", "auto_reply"})
#: Local parts of senders that are programs, not people (case-folded, ``+tag`` removed).
ROBOT_LOCAL_PARTS: frozenset[str] = frozenset(
    {"mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply", "donotreply"}
)

_ROBOT_WORD = re.compile(r"(?:^|[._-])(?:no[._-]?reply|do[._-]?not[._-]?reply)(?:[._-]|$)")

_AUTO_SUBMITTED = "auto-submitted"
_PRECEDENCE = "precedence"
_X_AUTO_RESPONSE_SUPPRESS = "x-auto-response-suppress"
_X_LOOP = "x-loop"
_RETURN_PATH = "return-path"
_WATCHED: frozenset[str] = frozenset(
    {_AUTO_SUBMITTED, _PRECEDENCE, _X_AUTO_RESPONSE_SUPPRESS, _X_LOOP, _RETURN_PATH}
)
_LIST_PREFIX = "list-"


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why an auto-reply is not sent: a stable `code` and a `reason` naming header and value."""

    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReplyRecord:
    """An auto-reply sent earlier: to whom, when (aware), and from which template."""

    to: str
    at: datetime
    template: str | None = None


_SPAM = Suppression("spam", "the ticket is spam")
_NO_REPLY = Suppression("no-reply", "a rule set no_reply")


def ticket_suppression(*, spam: bool, no_reply: bool) -> Suppression | None:
    """The suppression a ticket's own state imposes: spam first, then ``no_reply``."""
    if spam:
        return _SPAM  # (immutable: one object serves every ticket)
    if no_reply:
        return _NO_REPLY
    return None


def _address(text: str) -> str:
    """The bare, case-folded address of ``a@x`` or ``Name <a@x>``."""
    text = text.strip()
    if text.endswith(">") and "<" in text:
        text = text[text.rindex("<") + 1 : -1].strip()
    return text.casefold()


def _local_part(address: str) -> str:
    local = address.rpartition("@")[0] if "@" in address else address
    local = local.strip('"')
    return local.partition("+")[0]


@functools.lru_cache(maxsize=16)
def _own(addresses: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Exact addresses and ``*@domain`` domains, case-folded."""
    exact: set[str] = set()
    domains: set[str] = set()
    for entry in addresses:
        folded = _address(entry)
        if folded.startswith("*@"):
            domains.add(folded[2:])
        else:
            exact.add(folded)
    return frozenset(exact), frozenset(domains)


def _is_own(address: str, own_addresses: frozenset[str]) -> bool:
    exact, domains = _own(own_addresses)
    return address in exact or (bool(domains) and address.rpartition("@")[2] in domains)


def mail_suppression(
    headers: Mapping[str, str],
    sender: str | None,
    *,
    own_addresses: frozenset[str] = frozenset(),
) -> Suppression | None:
    """Whether the mail must not get an auto-reply (RFC 3834 and common practice).

    Args:
        headers: the mail's headers, any mapping; names are matched case-insensitively.
        sender: the address a reply would go to, bare or with a display name; None skips
            the sender checks.
        own_addresses: the help desk's own addresses (any case), and ``*@domain`` patterns
            for every address of a domain.

    Returns:
        The first matching check in the order of the module docstring, or None.
    """
    found: dict[str, tuple[str, str]] = {}
    list_header: str | None = None
    # Names first, a value only for the first header of each watched name: reading every
    # value of a case-insensitive mapping is most of the cost of this scan. What a name is
    # to the checks is remembered per name (mail uses a few dozen header names).
    kinds = _HEADER_KINDS
    for name in headers:
        kind = kinds.get(name, _UNSEEN) if type(name) is str else _UNSEEN
        if kind is _UNSEEN:
            kind = _header_kind(name)
        if kind is None:
            continue
        if kind == _LIST_PREFIX:
            if list_header is None:
                list_header = name
        elif kind not in found:
            found[kind] = (name, str(headers[name]).strip())  # type: ignore[index]

    if found:
        name, value = found.get(_AUTO_SUBMITTED, ("", "no"))
        if value.partition(";")[0].strip().casefold() != "no":
            return Suppression("auto-submitted", f"{name} is {value!r}")
        name, value = found.get(_PRECEDENCE, ("", ""))
        if value.casefold() in PRECEDENCE_VALUES:
            return Suppression("precedence", f"{name} is {value!r}")
    if list_header is not None:
        return Suppression("list-header", f"the mail has a {list_header} header")
    if found:
        name, value = found.get(_X_AUTO_RESPONSE_SUPPRESS, ("", "none"))
        if value.casefold() != "none":
            return Suppression("x-auto-response-suppress", f"{name} is {value!r}")
        if _X_LOOP in found:
            name, value = found[_X_LOOP]
            return Suppression("x-loop", f"{name} is {value!r}")
        name, value = found.get(_RETURN_PATH, ("", ""))
        if "".join(value.split()) == "<>":
            return Suppression("null-return-path", f"{name} is the null path '<>'")
    if sender is not None:
        address = _address(sender)
        local = _local_part(address)
        # (every robot word ends in "reply": most senders need no regular expression)
        if local in ROBOT_LOCAL_PARTS or ("reply" in local and _ROBOT_WORD.search(local)):
            return Suppression("robot-sender", f"the sender {address!r} is a program ({local!r})")
        if own_addresses and _is_own(address, own_addresses):
            return Suppression("own-address", f"the sender {address!r} is one of our addresses")
    return None


#: What a header name is to `mail_suppression`: its case-folded name when the checks watch
#: it, ``"list-"`` for a list header, None for any other. Remembered per name as written
#: (mail uses a few dozen names); bounded, single dict operations: safe from many threads.
_HEADER_KINDS: dict[str, str | None] = {}
_HEADER_KINDS_SIZE = 1024
_UNSEEN = object()


def _header_kind(name: str) -> str | None:
    folded = name.strip().casefold()
    kind = (
        folded if folded in _WATCHED else _LIST_PREFIX if folded.startswith(_LIST_PREFIX) else None
    )
    if type(name) is str:
        if len(_HEADER_KINDS) >= _HEADER_KINDS_SIZE:
            _HEADER_KINDS.clear()
        _HEADER_KINDS[name] = kind
    return kind


def _window(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return format_duration(seconds) if seconds >= 0 else "-" + format_duration(-seconds)


def _validate(
    now: datetime, once_per: timedelta | None, rate_limits: Sequence[tuple[int, timedelta]]
) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise EvaluationError("now must be an aware datetime")
    if once_per is not None and once_per < _ZERO:
        raise EvaluationError("once_per must not be negative")
    if _VALID_TIERS.get(id(rate_limits)) is rate_limits:
        return  # a rule set's tiers (the same tuple every time), checked before
    for limit, window in rate_limits:
        if limit < 1 or window < timedelta(0):
            raise EvaluationError(
                f"a rate limit needs a limit of at least 1 and a window of at least 0s, "
                f"got {limit} per {_window(window)}"
            )
    if type(rate_limits) is tuple and all(type(tier) is tuple for tier in rate_limits):
        # immutable (a tuple of (int, timedelta) tuples): valid for good
        if len(_VALID_TIERS) >= _VALID_TIERS_SIZE:
            _VALID_TIERS.clear()
        _VALID_TIERS[id(rate_limits)] = rate_limits


_ZERO = timedelta(0)
#: Tier tuples found valid, by identity (the entry keeps the tuple alive, so its id is not
#: reused while it is there; bounded: a rule set has one).
_VALID_TIERS: dict[int, Sequence[tuple[int, timedelta]]] = {}
_VALID_TIERS_SIZE = 64


def _scan(
    address: str,
    now: datetime,
    once_per: timedelta | None,
    history: Sequence[ReplyRecord],
    rate_limits: Sequence[tuple[int, timedelta]],
) -> tuple[ReplyRecord | None, list[int]]:
    """The latest reply to `address` within `once_per`, and the replies per tier window."""
    last: ReplyRecord | None = None
    counts = [0] * len(rate_limits)
    for record in history:
        if record.at.tzinfo is None or record.at.utcoffset() is None:
            raise EvaluationError(f"reply record at {record.at.isoformat()} is naive")
        if _address(record.to) != address:
            continue
        age = now - record.at
        if age < timedelta(0):
            continue
        if once_per is not None and age <= once_per and (last is None or record.at > last.at):
            last = record
        for i, (_, window) in enumerate(rate_limits):
            if age <= window:
                counts[i] += 1
    return last, counts


def _history_verdict(
    address: str,
    template: str,
    once_per: timedelta | None,
    rate_limits: Sequence[tuple[int, timedelta]],
    last: ReplyRecord | None,
    counts: Sequence[int],
) -> Suppression | None:
    if last is not None and once_per is not None:
        earlier = f" ({last.template!r})" if last.template else ""
        return Suppression(
            "once-per",
            f"a reply{earlier} went to {address!r} at {last.at.isoformat()}, "
            f"within once_per {_window(once_per)} of {template!r}",
        )
    for (limit, window), count in zip(rate_limits, counts, strict=True):
        if count >= limit:
            return Suppression(
                "rate-limit",
                f"{count} replies went to {address!r} in the last {_window(window)}, "
                f"the limit is {limit}",
            )
    return None


def history_suppression(
    recipient: str,
    template: str,
    now: datetime,
    once_per: timedelta | None,
    history: Sequence[ReplyRecord],
    *,
    rate_limits: Sequence[tuple[int, timedelta]] = (),
) -> Suppression | None:
    """Whether an earlier reply to `recipient` holds this one back.

    Args:
        recipient: the address the reply would go to (any case, display name allowed).
        template: the template of the reply being decided (named in the reason).
        now: the evaluation instant, aware.
        once_per: at most one reply to the recipient per this window, or None.
        history: earlier replies, in any order.
        rate_limits: tiers ``(limit, window)``, checked in order after `once_per`.

    Returns:
        ``once-per`` or ``rate-limit`` suppression, or None.

    Raises:
        EvaluationError: a naive `now` or record, a negative window, or a limit below 1.
    """
    _validate(now, once_per, rate_limits)
    if not history:
        return None
    address = _address(recipient)
    last, counts = _scan(address, now, once_per, history, rate_limits)
    return _history_verdict(address, template, once_per, rate_limits, last, counts)


@dataclass(frozen=True, slots=True)
class TierCount:
    """One rate-limit tier as the gate saw it: `count` earlier replies in `window`."""

    limit: int
    window: timedelta
    count: int


@dataclass(frozen=True, slots=True)
class GateOutcome:
    """What the gate decided for one reply.

    Attributes:
        suppression: why the reply is not sent, or None when it is.
        passed: the codes of the checks the reply passed, in the order of `CHECKS` (all of
            the applicable ones when it is sent; ``once-per`` only with a window,
            ``rate-limit`` only with tiers).
        tiers: for a sent reply, each rate-limit tier with the replies counted in it.
    """

    suppression: Suppression | None
    passed: tuple[str, ...]
    tiers: tuple[TierCount, ...] = ()


#: The checks before each check, and all the checks a sent reply passed (by whether it has
#: a ``once_per`` window and whether there are tiers).
_PASSED_BEFORE: dict[str, tuple[str, ...]] = {c: CHECKS[: CHECKS.index(c)] for c in CHECKS}
_PASSED: dict[tuple[bool, bool], tuple[str, ...]] = {
    (once, tiered): tuple(
        c for c in CHECKS if (c != "once-per" or once) and (c != "rate-limit" or tiered)
    )
    for once in (False, True)
    for tiered in (False, True)
}


def reply_gate(
    *,
    spam: bool,
    no_reply: bool,
    headers: Mapping[str, str],
    recipient: str | None,
    template: str,
    now: datetime,
    once_per: timedelta | None,
    history: Sequence[ReplyRecord],
    own_addresses: frozenset[str] = frozenset(),
    rate_limits: Sequence[tuple[int, timedelta]] = (),
    sent_now: int = 0,
) -> GateOutcome:
    """Run every check of the gate, in the order of `CHECKS`, for one reply.

    Args:
        spam: the ticket is spam.
        no_reply: a rule set ``no_reply``.
        headers: the mail's headers (names matched case-insensitively).
        recipient: the requester's address (the sender of the mail), or None.
        template: the reply's template (named in reasons).
        now: the evaluation instant, aware.
        once_per: the reply's ``once_per`` window, or None.
        history: the caller's earlier replies.
        own_addresses: our own addresses and ``*@domain`` patterns.
        rate_limits: per-recipient tiers ``(limit, window)``, shortest window first.
        sent_now: replies to the recipient that the same decision already sends; they count
            in every tier (they go out at `now`), not for `once_per`, which is about earlier
            decisions (two rules may answer one ticket with two complementary replies).

    Returns:
        The first check that holds the reply back, or the checks it passed.

    Raises:
        EvaluationError: as `history_suppression`.
    """
    return gate_reply(
        spam,
        no_reply,
        headers,
        recipient,
        template,
        now,
        once_per,
        history,
        own_addresses,
        rate_limits,
        sent_now,
    )


def gate_reply(
    spam: bool,
    no_reply: bool,
    headers: Mapping[str, str],
    recipient: str | None,
    template: str,
    now: datetime,
    once_per: timedelta | None,
    history: Sequence[ReplyRecord],
    own_addresses: frozenset[str],
    rate_limits: Sequence[tuple[int, timedelta]],
    sent_now: int,
) -> GateOutcome:
    """`reply_gate` with its arguments by position, in its order (the engine's call for
    every reply: eleven keywords cost about as much again as the call itself)."""
    _validate(now, once_per, rate_limits)
    reason = _SPAM if spam else _NO_REPLY if no_reply else None  # `ticket_suppression`
    if reason is None:
        reason = mail_suppression(headers, recipient, own_addresses=own_addresses)
    if reason is None and not recipient:
        reason = Suppression("no-recipient", "the requester has no e-mail address")
    tiers: tuple[TierCount, ...] = ()
    if reason is None and recipient:
        if not history and type(sent_now) is int:
            quiet = _quiet(once_per is not None, rate_limits, sent_now)
            if quiet is not None:
                return quiet
        address = _address(recipient)
        last, counts = _scan(address, now, once_per, history, rate_limits)
        counts = [count + sent_now for count in counts]
        reason = _history_verdict(address, template, once_per, rate_limits, last, counts)
        tiers = tuple(
            _tier(limit, window, count) if type(limit) is int else TierCount(limit, window, count)
            for (limit, window), count in zip(rate_limits, counts, strict=True)
        )
    if reason is not None:
        return GateOutcome(reason, _PASSED_BEFORE[reason.code])
    return GateOutcome(None, _PASSED[once_per is not None, bool(rate_limits)], tiers)


def _quiet(
    once: bool, rate_limits: Sequence[tuple[int, timedelta]], sent_now: int
) -> GateOutcome | None:
    """The outcome of a reply that passed the mail checks, with no history: it depends
    only on the tiers, `sent_now` and whether there is a ``once_per`` window (no earlier
    reply, so ``once_per`` holds nothing back), and is remembered per rule set's tiers.
    None when a tier holds the reply back (the reason names the recipient) or when the
    tiers may change (not a validated tuple): the caller works it out. (`sent_now` is an
    exact int: the count the general path makes, ``0 + sent_now``, is that int itself.)
    """
    key = (id(rate_limits), sent_now, once)
    hit = _QUIET.get(key)
    if hit is not None and hit[0] is rate_limits:
        return hit[1]
    if _VALID_TIERS.get(id(rate_limits)) is not rate_limits:
        return None
    if any(sent_now >= limit for limit, _ in rate_limits):
        return None
    outcome = GateOutcome(
        None,
        _PASSED[once, bool(rate_limits)],
        tuple(
            _tier(limit, window, sent_now)
            if type(limit) is int
            else TierCount(limit, window, sent_now)
            for limit, window in rate_limits
        ),
    )
    if len(_QUIET) >= _QUIET_SIZE:
        _QUIET.clear()
    _QUIET[key] = (rate_limits, outcome)
    return outcome


#: `_quiet` outcomes by (tiers' identity, replies sent now, once): the entry keeps the
#: tiers alive, so their id is not reused while it is there. Bounded.
_QUIET: dict[tuple[int, int, bool], tuple[Sequence[tuple[int, timedelta]], GateOutcome]] = {}
_QUIET_SIZE = 256


@functools.lru_cache(maxsize=1024)
def _tier(limit: int, window: timedelta, count: int) -> TierCount:
    """A tier count; they are immutable and few distinct (a count is small), so each is made
    once (an exact int limit only: ``True`` would share the entry of ``1``)."""
    return TierCount(limit, window, count)


def reply_headers(
    in_reply_to: str | None, references: str | None, *, sender: str | None = None
) -> dict[str, str]:
    """The headers an outgoing auto-reply carries (RFC 3834 section 3.1).

    Args:
        in_reply_to: the Message-ID of the mail answered, or None.
        references: that mail's own References header, or None.
        sender: the address replies are sent from (``replies: from``), or None.

    Returns:
        ``From`` when a sender is configured; ``Auto-Submitted: auto-replied`` and
        ``X-Auto-Response-Suppress: All`` always; ``In-Reply-To`` when the Message-ID is
        known; ``References`` as RFC 5322 builds it (the answered mail's References followed
        by its Message-ID) when either is known.
    """
    headers = {"From": sender} if sender else {}
    headers["Auto-Submitted"] = "auto-replied"
    headers["X-Auto-Response-Suppress"] = "All"
    parent = in_reply_to.strip() if in_reply_to else ""
    chain = " ".join(references.split()) if references else ""
    if parent:
        headers["In-Reply-To"] = parent
    refs = f"{chain} {parent}" if chain and parent else chain or parent
    if refs:
        headers["References"] = refs
    return headers
