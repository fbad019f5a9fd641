#!/usr/bin/env python
"""Measure a spam rule set on the SpamAssassin mail corpus: confusion matrix, precision,
recall, and how often each rule fires on spam and on legitimate mail.

Every file under ``spam/`` and ``nice/`` of the corpus is one message. Each is parsed with
`routing.email.parse_message` and evaluated with the rule set; a message counts as marked
spam when its decision says ``spam``. The output is Markdown and deterministic (fixed time
of receipt and evaluation instant, files in path order), so docs/spam.md shows it verbatim.

Usage::

    python scripts/spam_report.py                      # rules/spam.yaml on ../shared/corpora
    python scripts/spam_report.py --rules my-rules/ --corpus path/to/spamassassin
    python scripts/spam_report.py --messages           # also every message's score and rules

Exit codes: 0 the report was written; 1 the rule set does not load (its diagnostics are
printed); 2 a usage error (a missing corpus or rule path).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import routing
from routing.diagnostics import render_text
from routing.dsl import ast
from routing.email import parse_message

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RULES = REPO / "rules" / "spam.yaml"
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "spamassassin"
# Fixed instants keep the report reproducible: the time of receipt stands in for a missing
# Date, and rules are evaluated at the same instant.
RECEIVED_AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LABELS = (("spam", True), ("nice", False))

__all__ = [
    "Outcome",
    "Report",
    "corpus_files",
    "evaluate_corpus",
    "main",
    "render",
    "rule_scores",
]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One message: where it is, what it is, and what the rule set made of it."""

    name: str  # path relative to the corpus, e.g. "spam/gtube.eml"
    is_spam: bool  # the corpus label: under spam/ or nice/
    marked: bool  # the decision's `spam`
    score: float
    fired: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """Every message's outcome, and the rules (with their scores) in file order."""

    outcomes: tuple[Outcome, ...]
    rules: tuple[tuple[str, str], ...]  # (rule name, its score as written)
    threshold: float

    def count(self, *, is_spam: bool, marked: bool) -> int:
        """Messages with this label and this verdict."""
        return sum(o.is_spam is is_spam and o.marked is marked for o in self.outcomes)

    @property
    def true_positives(self) -> int:
        return self.count(is_spam=True, marked=True)

    @property
    def false_negatives(self) -> int:
        return self.count(is_spam=True, marked=False)

    @property
    def false_positives(self) -> int:
        return self.count(is_spam=False, marked=True)

    @property
    def true_negatives(self) -> int:
        return self.count(is_spam=False, marked=False)


def corpus_files(corpus: Path) -> list[tuple[str, bool]]:
    """Every message file of the corpus (relative path, is spam), in path order."""
    found: list[tuple[str, bool]] = []
    for folder, is_spam in LABELS:
        for path in (corpus / folder).rglob("*"):
            if path.is_file():
                found.append((path.relative_to(corpus).as_posix(), is_spam))
    return sorted(found)


def _number(value: float) -> str:
    return f"{value:g}"


def rule_scores(rules: routing.Ruleset) -> tuple[tuple[str, str], ...]:
    """Each rule's name and what it does to the score: its `spam_score` amounts, summed,
    or ``mark`` for `mark_spam: true`, or ``-`` when it does neither."""
    out: list[tuple[str, str]] = []
    for stage in rules.checked.stages:
        for rule in stage.rules:
            amounts = [a.amount for a in rule.then if isinstance(a, ast.SpamScoreAction)]
            marks = any(isinstance(a, ast.MarkSpamAction) and a.value for a in rule.then)
            parts = ([_number(sum(amounts))] if amounts else []) + (["mark"] if marks else [])
            out.append((rule.name.value, " + ".join(parts) or "-"))
    return tuple(out)


def evaluate_corpus(rules: routing.Ruleset, corpus: Path) -> Report:
    """Parse and evaluate every message of `corpus` with `rules`."""
    outcomes: list[Outcome] = []
    for name, is_spam in corpus_files(corpus):
        mail = parse_message((corpus / name).read_bytes(), received_at=RECEIVED_AT, source=name)
        decision = rules.evaluate(mail.ticket, now=RECEIVED_AT)
        outcomes.append(Outcome(name, is_spam, decision.spam, decision.spam_score, decision.fired))
    return Report(tuple(outcomes), rule_scores(rules), rules.checked.spam_threshold)


def _ratio(num: int, den: int) -> str:
    return "n/a (no message)" if den == 0 else f"{num / den:.3f} ({num}/{den})"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _message_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    return [[f"`{o.name}`", _number(o.score), ", ".join(o.fired) or "(none)"] for o in outcomes]


def render(report: Report, *, messages: bool = False) -> str:
    """The report as Markdown (no trailing newline)."""
    tp, fn = report.true_positives, report.false_negatives
    fp, tn = report.false_positives, report.true_negatives
    spam, legit = tp + fn, fp + tn
    out = [
        f"Corpus: {spam + legit} messages, {spam} spam and {legit} legitimate; "
        f"threshold {_number(report.threshold)}.",
        "",
        "### Confusion matrix",
        "",
        *_table(
            ["", "marked spam", "not marked spam", "total"],
            [
                ["spam", f"{tp} (TP)", f"{fn} (FN)", str(spam)],
                ["legitimate", f"{fp} (FP)", f"{tn} (TN)", str(legit)],
            ],
        ),
        "",
        *_table(
            ["measure", "value"],
            [
                ["precision: TP / (TP + FP)", _ratio(tp, tp + fp)],
                ["recall: TP / (TP + FN)", _ratio(tp, tp + fn)],
                ["false positive rate: FP / (FP + TN)", _ratio(fp, fp + tn)],
                ["accuracy", _ratio(tp + tn, spam + legit)],
            ],
        ),
        "",
        "### Rules",
        "",
        "How many messages each rule fired on.",
        "",
    ]
    rows = []
    for name, score in report.rules:
        on_spam = sum(o.is_spam and name in o.fired for o in report.outcomes)
        on_legit = sum(not o.is_spam and name in o.fired for o in report.outcomes)
        rows.append([name, score, str(on_spam), str(on_legit)])
    out += _table(["rule", "score", f"spam ({spam})", f"legitimate ({legit})"], rows)
    legit_scores = [o.score for o in report.outcomes if not o.is_spam]
    if legit_scores:
        top = max(legit_scores)
        names = ", ".join(
            f"`{o.name}`" for o in report.outcomes if not o.is_spam and o.score == top
        )
        out += [
            "",
            f"Highest score of a legitimate message: {_number(top)} ({names}); "
            f"the threshold is {_number(report.threshold)}.",
        ]
    wrong = [o for o in report.outcomes if not o.is_spam and o.marked]
    out += ["", "### Legitimate messages marked spam", ""]
    if wrong:
        out += _table(["message", "score", "rules"], _message_rows(wrong))
    else:
        out.append("None.")
    missed = [o for o in report.outcomes if o.is_spam and not o.marked]
    out += ["", "### Spam not marked", ""]
    if missed:
        out += _table(["message", "score", "rules"], _message_rows(missed))
    else:
        out.append("None.")
    if messages:
        out += ["", "### Every message", ""]
        out += _table(
            ["message", "label", "verdict", "score", "rules"],
            [
                [
                    f"`{o.name}`",
                    "spam" if o.is_spam else "legitimate",
                    "spam" if o.marked else "-",
                    _number(o.score),
                    ", ".join(o.fired) or "(none)",
                ]
                for o in report.outcomes
            ],
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the report; see the module docstring for the options and exit codes."""
    parser = argparse.ArgumentParser(
        prog="spam_report.py",
        description="Precision and recall of a spam rule set on the SpamAssassin corpus.",
    )
    parser.add_argument(
        "--rules",
        default=str(DEFAULT_RULES),
        help="a rule file or directory (default: rules/spam.yaml)",
    )
    parser.add_argument(
        "--corpus",
        default=str(DEFAULT_CORPUS),
        help="the corpus folder holding spam/ and nice/ (default: ../shared/corpora/spamassassin)",
    )
    parser.add_argument(
        "--messages", action="store_true", help="also list every message's score and rules"
    )
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    missing = [f"{f}/" for f, _ in LABELS if not (corpus / f).is_dir()]
    if missing:
        parser.error(f"'{corpus}' is not a corpus folder: it has no {' or '.join(missing)} folder")
    if not Path(args.rules).exists():
        parser.error(f"no such rule file or directory: '{args.rules}'")
    try:
        rules = routing.load(args.rules)
    except routing.RuleError as exc:
        sys.stderr.write(render_text(exc.diagnostics) + "\n")
        return 1
    try:
        report = evaluate_corpus(rules, corpus)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        sys.stderr.write(f"spam_report.py: error: cannot read '{exc.filename}': {reason}\n")
        return 2
    sys.stdout.write(render(report, messages=args.messages) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
