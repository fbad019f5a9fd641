"""The limits `check` enforces so that every rule set loads and evaluates in bounded time."""

from __future__ import annotations

#: Deepest nesting of an expression (parentheses, `not`, calls, lists).
MAX_DEPTH = 64
#: Most nodes in one expression (after defines are counted once).
MAX_TERMS = 2000
#: Longest regex pattern or text literal, in characters.
MAX_PATTERN = 4096
#: Longest template source, in characters.
MAX_TEMPLATE = 65536
#: Most rules in one rule file.
MAX_RULES_PER_FILE = 50000
#: Largest rule file, in bytes.
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Most items in one declared list.
MAX_LIST_ITEMS = 100000
#: Largest amount one `spam_score` action adds or takes away: with the limits on rules, no
#: sum of them reaches an infinite score.
MAX_SPAM_SCORE_STEP = 1_000_000
#: Evaluation steps per ticket before the engine gives up with eval/step-budget.
STEP_BUDGET = 1_000_000
