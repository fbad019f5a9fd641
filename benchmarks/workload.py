"""A seeded help desk workload: tickets as plain dicts, and rule sets of any size.

Used by ``benchmarks/bench_rules.py`` (issue 6) and ``tests/benchmarks/test_workload.py``.

``make_workload(n_rules, n_tickets, seed)`` gives the same `Workload` for the same arguments.

- Tickets are dicts in DESIGN.md section 3's shape, as users pass them to
  ``Ruleset.evaluate``: subjects and bodies of a few hundred characters in English, German,
  French, Spanish, Dutch, Portuguese and Japanese, channels, priorities, tags, requesters
  (with the domain in the e-mail address) and the custom fields ``plan`` (enum), ``region``
  (enum), ``mrr`` and ``seats`` (numbers).
- A rule is a small neutral tree (`And`/`Or`/`Not` over the atoms `Eq`, `In`, `Cmp`,
  `HasTag`, `Contains` and `Regex`), the shape of the issue: conjunctions and disjunctions of
  equality, membership, numeric comparisons, tag tests, case-insensitive substring tests on
  subject and body, and regexes on the subject. `Not` only wraps an atom, as help desk rules
  say "not tagged spam" or "channel is not chat".
- From the trees come every engine's form: routing YAML (`routing_yaml`), a hand-written
  Python function per rule (`python_source`, for the baseline only), and the native forms of
  the peers (`business_rules_rule`, `json_logic_rule`, `rule_engine_text`, `cel_text`,
  `zen_text`), which read the flat per-ticket `facts` dict.

Match rates are realistic: every rule has one selective test (a product name, a keyword of
one language, a reference pattern, a customer list or a rare tag) and one or two broad ones,
so most rules match well under 1% of tickets and a ticket matches a few rules per thousand.

The texts avoid the few characters whose ``str.lower()`` and ``str.casefold()`` differ
(``ß``, final sigma, ...), so the ``.lower()`` of the hand-written baseline and routing's
case folding give the same answers; regexes use only ASCII classes, so RE2, Python ``re``
and Rust ``regex`` (CEL, zen-engine) agree on them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

__all__ = [
    "NOW",
    "And",
    "Cmp",
    "Contains",
    "Eq",
    "HasTag",
    "In",
    "Node",
    "Not",
    "Or",
    "Regex",
    "Rule",
    "Workload",
    "business_rules_rule",
    "cel_text",
    "facts",
    "json_logic_rule",
    "make_rules",
    "make_tickets",
    "make_workload",
    "python_source",
    "routing_expr",
    "routing_yaml",
    "rule_engine_text",
    "used_lists",
    "zen_decision",
    "zen_text",
]

#: The evaluation instant used for every ticket (a Monday morning, UTC).
NOW = "2026-11-23T10:00:00+00:00"

# ---------------------------------------------------------------------------- the rule tree


@dataclass(frozen=True, slots=True)
class Eq:
    """``path == value``; path is one of channel, priority, language, domain, plan, region."""

    path: str
    value: str


@dataclass(frozen=True, slots=True)
class In:
    """``path in values``; `list_name` names a declared list (routing's ``$name``)."""

    path: str
    values: tuple[str, ...]
    list_name: str | None = None


@dataclass(frozen=True, slots=True)
class Cmp:
    """``path OP value`` on a number (mrr, seats); OP is one of < <= > >=."""

    path: str
    op: str
    value: int


@dataclass(frozen=True, slots=True)
class HasTag:
    """The ticket carries `tag`."""

    tag: str


@dataclass(frozen=True, slots=True)
class Contains:
    """Case-insensitive substring test of `needle` (lower case) in subject or body."""

    path: str
    needle: str


@dataclass(frozen=True, slots=True)
class Regex:
    """A regex search on the subject (ASCII classes only, no backslashes)."""

    pattern: str
    ignore_case: bool


@dataclass(frozen=True, slots=True)
class Not:
    """Negation of one atom."""

    item: Atom


@dataclass(frozen=True, slots=True)
class And:
    """All of `items`."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Any of `items`."""

    items: tuple[Node, ...]


Atom = Eq | In | Cmp | HasTag | Contains | Regex
Node = Atom | Not | And | Or


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its name (``r00001``...) and its condition."""

    name: str
    when: Node


@dataclass(frozen=True, slots=True)
class Workload:
    """Rules, the declared lists they use, and tickets, all from one seed."""

    seed: int
    rules: tuple[Rule, ...]
    lists: dict[str, tuple[str, ...]]
    tickets: tuple[dict[str, Any], ...]


# ---------------------------------------------------------------------------- vocabulary

LANGUAGES: tuple[tuple[str, float], ...] = (
    ("en", 0.42),
    ("de", 0.16),
    ("fr", 0.12),
    ("es", 0.10),
    ("nl", 0.07),
    ("pt", 0.07),
    ("ja", 0.06),
)

#: Per language: topic keywords (what rules look for), subject templates and filler sentences.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "refund", "invoice", "password", "login", "outage", "credit card", "subscription",
        "cancel", "upgrade", "downgrade", "shipping", "delivery", "tracking number", "damaged",
        "data export", "webhook", "two-factor", "single sign-on", "account locked",
        "billing address", "discount", "coupon code", "crash", "timeout", "certificate",
        "migration", "gdpr", "chargeback", "trial", "license key", "integration",
        "calendar sync", "mobile app", "notification", "permissions", "overcharged",
    ),
    "de": (
        "rechnung", "erstattung", "passwort", "anmeldung", "störung", "kündigung", "lieferung",
        "sendungsnummer", "beschädigt", "datenexport", "schnittstelle", "zahlung", "gutschrift",
        "mahnung", "vertrag", "abonnement", "lastschrift", "rabatt", "zugangsdaten", "ausfall",
        "fehlermeldung", "datenschutz", "lizenz", "verlängerung", "umzug", "rückruf",
    ),
    "fr": (
        "remboursement", "facture", "mot de passe", "connexion", "panne", "résiliation",
        "livraison", "colis", "endommagé", "abonnement", "paiement", "avoir", "contrat",
        "remise", "identifiants", "erreur", "données personnelles", "licence",
        "renouvellement", "devis", "prélèvement",
    ),
    "es": (
        "reembolso", "factura", "contraseña", "acceso", "caída", "cancelación", "envío",
        "paquete", "dañado", "suscripción", "pago", "contrato", "descuento", "error",
        "datos personales", "licencia", "renovación", "presupuesto", "cobro",
    ),
    "nl": (
        "terugbetaling", "factuur", "wachtwoord", "inloggen", "storing", "opzeggen", "levering",
        "pakket", "beschadigd", "abonnement", "betaling", "contract", "korting", "foutmelding",
        "licentie", "verlenging", "offerte", "incasso",
    ),
    "pt": (
        "reembolso", "fatura", "senha", "acesso", "falha", "cancelamento", "entrega",
        "encomenda", "danificado", "assinatura", "pagamento", "contrato", "desconto", "erro",
        "licença", "renovação", "orçamento", "cobrança",
    ),
    "ja": (
        "返金", "請求書", "パスワード", "ログイン", "障害", "解約", "配送", "破損", "契約",
        "支払い", "割引", "エラー", "ライセンス", "更新", "見積もり", "二段階認証",
    ),
}  # fmt: skip

SUBJECTS: dict[str, tuple[str, ...]] = {
    "en": (
        "{Kw} problem with {product}", "Question about {kw} for {product}",
        "{product}: {kw} not working", "Need help with {kw}", "{Kw} - {product} account",
        "Urgent: {kw} issue", "{product} {kw} since yesterday",
    ),
    "de": (
        "Problem mit {kw} bei {product}", "Frage zu {kw} ({product})", "{product}: {kw}",
        "Dringend: {kw}", "{Kw} funktioniert nicht", "Bitte um Hilfe: {kw} in {product}",
    ),
    "fr": (
        "Problème de {kw} avec {product}", "Question sur {kw}", "{product} : {kw}",
        "Urgent : {kw}", "Demande concernant {kw} ({product})",
    ),
    "es": (
        "Problema con {kw} en {product}", "Consulta sobre {kw}", "{product}: {kw}",
        "Urgente: {kw}", "Ayuda con {kw} de {product}",
    ),
    "nl": (
        "Probleem met {kw} in {product}", "Vraag over {kw}", "{product}: {kw}",
        "Dringend: {kw}",
    ),
    "pt": (
        "Problema com {kw} no {product}", "Dúvida sobre {kw}", "{product}: {kw}",
        "Urgente: {kw}",
    ),
    "ja": (
        "{product}の{kw}について",
        "{kw}の件（{product}）",  # noqa: RUF001 - Japanese punctuation
        "至急：{kw}",  # noqa: RUF001 - Japanese punctuation
        "{kw}に関するお問い合わせ",
    ),
}  # fmt: skip

SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "Since this morning we see a {kw} problem on {product}.",
        "Could you please check the {kw} on our account?",
        "Our team tried again after lunch but the {kw} still fails.",
        "This is blocking our month-end close, so an answer today would help a lot.",
        "I attached a screenshot and the exact time it happened.",
        "We have been customers for years and never had this before.",
        "Please call me back on my mobile, I am travelling this week.",
        "Thank you in advance for looking into it.",
        "My colleague opened a similar request last week without an answer.",
    ),
    "de": (
        "Seit heute Morgen haben wir ein Problem mit {kw} bei {product}.",
        "Können Sie bitte das Thema {kw} in unserem Konto prüfen?",
        "Wir haben es nach der Mittagspause erneut versucht, leider ohne Erfolg.",
        "Das blockiert unseren Monatsabschluss, eine Antwort heute wäre sehr hilfreich.",
        "Im Anhang finden Sie einen Screenshot und die genaue Uhrzeit.",
        "Vielen Dank im Voraus und viele Grüsse aus Zürich.",
        "Mein Kollege hat letzte Woche schon eine ähnliche Anfrage gestellt.",
    ),
    "fr": (
        "Depuis ce matin nous avons un souci de {kw} sur {product}.",
        "Pourriez-vous vérifier la {kw} sur notre compte ?",
        "Nous avons réessayé après le déjeuner, sans succès.",
        "Cela bloque notre clôture mensuelle, une réponse aujourd'hui serait appréciée.",
        "Vous trouverez en pièce jointe une capture d'écran.",
        "Merci d'avance et bonne journée.",
    ),
    "es": (
        "Desde esta mañana tenemos un problema de {kw} en {product}.",
        "¿Podrían revisar el {kw} de nuestra cuenta, por favor?",
        "Lo intentamos de nuevo después de comer, sin éxito.",
        "Esto bloquea nuestro cierre de mes, agradecería una respuesta hoy.",
        "Adjunto una captura de pantalla con la hora exacta.",
        "Muchas gracias de antemano y un saludo.",
    ),
    "nl": (
        "Sinds vanochtend hebben we een probleem met {kw} in {product}.",
        "Kunt u de {kw} van ons account controleren?",
        "We hebben het na de lunch opnieuw geprobeerd, zonder resultaat.",
        "Dit blokkeert onze maandafsluiting, een antwoord vandaag zou fijn zijn.",
        "In de bijlage vindt u een schermafbeelding.",
        "Alvast bedankt en met vriendelijke groet.",
    ),
    "pt": (
        "Desde hoje de manhã temos um problema de {kw} no {product}.",
        "Poderiam verificar a {kw} da nossa conta, por favor?",
        "Tentamos novamente depois do almoço, sem sucesso.",
        "Isso bloqueia o nosso fechamento do mês, uma resposta hoje ajudaria muito.",
        "Segue em anexo uma captura de tela.",
        "Obrigado desde já e um abraço.",
    ),
    "ja": (
        "今朝から{product}で{kw}の問題が発生しています。",
        "アカウントの{kw}を確認していただけますか。",
        "昼休みの後にもう一度試しましたが、うまくいきませんでした。",
        "月末の締め作業に影響が出ているため、本日中にご回答いただけると助かります。",
        "スクリーンショットを添付します。",
        "どうぞよろしくお願いいたします。",
    ),
}  # fmt: skip

_SYLLABLES = (
    "nova", "astra", "quill", "ember", "zephyr", "orbit", "lumen", "vanta", "cobalt", "tessel",
    "brio", "kestrel", "mosaic", "pylon", "rivet", "sable", "tundra", "umber", "vireo", "wren",
    "halcyon", "ionic", "jasper", "krona", "lattice", "meridian", "nimbus", "onyx", "prism",
    "quanta",
)  # fmt: skip
_SUFFIXES = ("pay", "desk", "sync", "cloud", "hub", "flow", "track", "mail")
#: Product names ("NovaPay", "OrbitSync"...): 240 of them, the most selective word tests.
PRODUCTS: tuple[str, ...] = tuple(
    s.capitalize() + x.capitalize() for s in _SYLLABLES for x in _SUFFIXES
)
#: Issue-tracker keys that appear in subjects as ``KEY-1234``.
PROJECT_KEYS: tuple[str, ...] = tuple(
    s[:3].upper() + x[0].upper() for s in _SYLLABLES for x in ("a", "b")
)
_FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com", "web.de", "gmx.de", "orange.fr")
_TLDS = ("com", "de", "fr", "es", "nl", "io", "co.uk", "com.br", "co.jp")
#: Company domains: 240 of them; free mail providers get 35% of requesters on top.
DOMAINS: tuple[str, ...] = tuple(
    f"{a}{b}.{_TLDS[(i * 7 + j) % len(_TLDS)]}"
    for i, a in enumerate(_SYLLABLES)
    for j, b in enumerate(("labs", "corp", "group", "tech", "retail", "bank", "media", "health"))
)
TAGS: tuple[str, ...] = (
    "vip", "billing", "bug", "feature-request", "outage", "churn-risk", "escalated", "spam",
    "legal", "press", "partner", "reseller", "beta", "onboarding", "renewal", "security",
    "gdpr", "mobile", "api", "invoice", "refund", "shipping", "hardware", "training",
    "sales-lead", "duplicate", "follow-up", "angry", "key-account", "trial", "migration",
    "sso", "integration", "accessibility", "education", "nonprofit", "government", "startup",
    "enterprise-pilot", "holiday",
)  # fmt: skip
CHANNELS = (("email", 0.55), ("web", 0.18), ("chat", 0.14), ("phone", 0.06), ("social", 0.04),
            ("api", 0.03))  # fmt: skip
PRIORITIES = (("low", 0.2), ("normal", 0.55), ("high", 0.18), ("urgent", 0.07))
PLANS = (("free", 0.35), ("starter", 0.25), ("pro", 0.22), ("business", 0.12),
         ("enterprise", 0.06))  # fmt: skip
REGIONS = (("eu", 0.45), ("us", 0.35), ("apac", 0.12), ("latam", 0.08))
_TZ = {"en": "America/New_York", "de": "Europe/Berlin", "fr": "Europe/Paris",
       "es": "Europe/Madrid", "nl": "Europe/Amsterdam", "pt": "America/Sao_Paulo",
       "ja": "Asia/Tokyo"}  # fmt: skip
_NAMES = ("Alex Morgan", "Jana Keller", "Luc Moreau", "Lucía Gómez", "Sanne de Vries",
          "João Silva", "Yuki Tanaka", "Sam Patel", "Olivia Brown", "Max Müller")  # fmt: skip
_REPLY_PREFIX = ("Re: ", "RE: ", "AW: ", "Fwd: ", "WG: ", "TR: ")
_REF_WORDS = ("Order", "Invoice", "Ticket", "Case", "Contract", "PO")
_ERRORS = ("error", "Error", "ERROR", "Fehler", "erreur")


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _zipf(rng: random.Random, items: tuple[str, ...], s: float = 1.1) -> str:
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights=weights)[0]


# ---------------------------------------------------------------------------- tickets


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _reference(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return (
            f"{rng.choice(_REF_WORDS)} {rng.choice(('#', '', 'No. '))}{rng.randrange(10**4, 10**8)}"
        )
    if roll < 0.75:
        return f"{rng.choice(PROJECT_KEYS)}-{rng.randrange(100, 100_000)}"
    return f"{rng.choice(_ERRORS)} {rng.choice((4, 5))}{rng.randrange(0, 100):02d}"


def _ticket(rng: random.Random, i: int) -> dict[str, Any]:
    lang = _pick(rng, LANGUAGES)
    kws = rng.sample(KEYWORDS[lang], 3)
    product = _zipf(rng, PRODUCTS, 0.6)
    shown = [_cap(k) if lang == "de" else k for k in kws]  # German nouns are capitalised
    kw = shown[0]
    subject = rng.choice(SUBJECTS[lang]).format(kw=kw, Kw=_cap(kw), product=product)
    if rng.random() < 0.35:
        subject = f"{subject} ({_reference(rng)})" if lang != "ja" else subject + _reference(rng)
    if rng.random() < 0.2:
        subject = rng.choice(_REPLY_PREFIX) + subject
    sentences = SENTENCES[lang]
    with_slots = [s for s in sentences if "{" in s]
    plain = [s for s in sentences if "{" not in s]
    body_parts = [rng.choice(with_slots).format(kw=kw, product=product)]
    for extra in shown[1:]:
        if rng.random() < 0.6:
            body_parts.append(rng.choice(with_slots).format(kw=extra, product=product))
    body_parts += rng.sample(plain, min(len(plain), rng.randint(2, 4)))
    rng.shuffle(body_parts)
    sep = "" if lang == "ja" else " "
    body = sep.join(body_parts)
    body += "\n\n" + rng.choice(_NAMES)
    if rng.random() < 0.3:
        body += f"\n{_reference(rng)}"
    domain = rng.choice(_FREE_MAIL) if rng.random() < 0.35 else _zipf(rng, DOMAINS, 0.8)
    name = rng.choice(_NAMES)
    local = name.lower().replace(" ", ".").encode("ascii", "ignore").decode()
    n_tags = rng.choices((0, 1, 2, 3, 4), weights=(30, 30, 20, 12, 8))[0]
    tags = sorted({_zipf(rng, TAGS, 1.0) for _ in range(n_tags)})
    day, hour, minute = rng.randint(16, 22), rng.randint(0, 23), rng.randint(0, 59)
    created = f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00+00:00"
    plan = _pick(rng, PLANS)
    base = {"free": 0, "starter": 30, "pro": 300, "business": 2000, "enterprise": 15000}[plan]
    return {
        "id": f"T-{i:06d}",
        "subject": subject,
        "body": body,
        "channel": _pick(rng, CHANNELS),
        "status": "new",
        "priority": _pick(rng, PRIORITIES),
        "queue": None,
        "assignee": None,
        "requester": {
            "email": f"{local}@{domain}",
            "name": name,
            "language": lang,
            "timezone": _TZ[lang],
        },
        "tags": tags,
        "headers": {"Message-ID": f"<{i}.{rng.randrange(10**9)}@mail.{domain}>"},
        "created_at": created,
        "updated_at": created,
        "fields": {
            "plan": plan,
            "region": _pick(rng, REGIONS),
            "mrr": base + rng.randrange(0, max(base, 50)) if plan != "free" else 0,
            "seats": rng.randint(1, 5) if plan in ("free", "starter") else rng.randint(3, 2500),
        },
    }


def make_tickets(n: int, seed: int = 0) -> tuple[dict[str, Any], ...]:
    """`n` ticket dicts, the same for the same seed."""
    rng = random.Random(f"tickets:{seed}")
    out = tuple(_ticket(rng, i) for i in range(n))
    for t in out:  # the baseline's .lower() must agree with routing's casefold()
        for text in (t["subject"], t["body"]):
            assert text.lower() == text.casefold(), text
    return out


# ---------------------------------------------------------------------------- rules


def _lists(rng: random.Random) -> dict[str, tuple[str, ...]]:
    """40 declared customer lists of 3-12 domains each."""
    out = {}
    for k in range(40):
        size = rng.randint(3, 12)
        out[f"customers_{k:02d}"] = tuple(sorted(rng.sample(DOMAINS, size)))
    return out


def _keyword_test(rng: random.Random) -> Node:
    """One to three keywords of one language, in subject or body."""
    lang = _pick(rng, LANGUAGES)
    words = rng.sample(KEYWORDS[lang], rng.choice((1, 1, 2, 3)))
    tests: list[Node] = []
    for w in words:
        where = rng.random()
        if where < 0.4:
            tests.append(Contains("subject", w))
        elif where < 0.7:
            tests.append(Contains("body", w))
        else:
            tests += [Contains("subject", w), Contains("body", w)]
    return tests[0] if len(tests) == 1 else Or(tuple(tests))


def _product_test(rng: random.Random) -> Node:
    p = rng.choice(PRODUCTS).lower()
    return (
        Contains("subject", p)
        if rng.random() < 0.6
        else Or((Contains("subject", p), Contains("body", p)))
    )


def _regex_test(rng: random.Random) -> Regex:
    roll = rng.random()
    if roll < 0.35:
        words = "|".join(w.lower() for w in rng.sample(_REF_WORDS, rng.randint(1, 2)))
        lo = rng.randint(5, 7)
        return Regex(f"({words}) ?(#|no. )?[0-9]{{{lo},{lo + 1}}}", True)
    if roll < 0.7:
        key = rng.choice(PROJECT_KEYS)
        return Regex(f"{key}-[0-9]{{{rng.randint(3, 5)},6}}", False)
    if roll < 0.85:
        family = rng.choice(("4", "5"))
        return Regex(f"(error|fehler|erreur) {family}[0-{rng.randint(1, 9)}][0-9]", True)
    return Regex(f"^(re|aw|fwd|wg|tr): .*{rng.choice(PRODUCTS).lower()}", True)


def _broad(rng: random.Random) -> Node:
    """A test most tickets pass or a good share of them: channel, plan, priority, mrr..."""
    roll = rng.random()
    atom: Atom
    if roll < 0.15:
        atom = Eq("channel", _pick(rng, CHANNELS))
    elif roll < 0.25:
        atom = In("channel", tuple(sorted(rng.sample([c for c, _ in CHANNELS], 2))))
    elif roll < 0.38:
        atom = In("plan", tuple(sorted(rng.sample([p for p, _ in PLANS], rng.randint(2, 3)))))
    elif roll < 0.46:
        atom = Eq("plan", _pick(rng, PLANS))
    elif roll < 0.56:
        atom = (
            In("priority", ("high", "urgent"))
            if rng.random() < 0.6
            else Eq("priority", _pick(rng, PRIORITIES))
        )
    elif roll < 0.66:
        atom = Cmp(
            "mrr", rng.choice((">=", ">", "<", "<=")), rng.choice((50, 100, 500, 1000, 5000))
        )
    elif roll < 0.73:
        atom = Cmp("seats", rng.choice((">=", "<")), rng.choice((10, 50, 200, 1000)))
    elif roll < 0.82:
        atom = Eq("region", _pick(rng, REGIONS))
    elif roll < 0.9:
        atom = Eq("language", _pick(rng, LANGUAGES))
    else:
        atom = HasTag(_zipf(rng, TAGS, 1.0))
    negate = rng.random() < 0.15
    return Not(atom) if negate else atom


def _rule(rng: random.Random, lists: dict[str, tuple[str, ...]]) -> Node:
    roll = rng.random()
    selective: Node
    if roll < 0.35:
        selective = _keyword_test(rng)
    elif roll < 0.55:
        selective = _product_test(rng)
    elif roll < 0.72:
        selective = _regex_test(rng)
    elif roll < 0.88:
        name = rng.choice(sorted(lists))
        selective = In("domain", lists[name], name)
        if rng.random() < 0.5:
            selective = And((selective, _keyword_test(rng)))
    else:
        rare = rng.choice(TAGS[8:])
        selective = And((HasTag(rare), Not(HasTag("spam"))))
    broad = [_broad(rng) for _ in range(rng.choice((1, 1, 2)))]
    if rng.random() < 0.15:  # "either of two audiences"
        broad = [Or((broad[0], _broad(rng))), *broad[1:]]
    items: list[Node] = [selective, *broad]
    rng.shuffle(items)
    flat: list[Node] = []
    for item in items:
        flat += list(item.items) if isinstance(item, And) else [item]
    return And(tuple(flat))


def make_rules(n: int, seed: int = 0) -> tuple[tuple[Rule, ...], dict[str, tuple[str, ...]]]:
    """`n` rules and the lists they may use, the same for the same seed.

    The first rules of a bigger set are the rules of a smaller one with the same seed, so
    growth from 10 to 10,000 rules adds rules to the same set.
    """
    rng = random.Random(f"lists:{seed}")
    lists = _lists(rng)
    rng = random.Random(f"rules:{seed}")
    rules = tuple(Rule(f"r{i:05d}", _rule(rng, lists)) for i in range(1, n + 1))
    return rules, lists


def make_workload(n_rules: int, n_tickets: int, seed: int = 0) -> Workload:
    """Rules, lists and tickets for one benchmark run."""
    rules, lists = make_rules(n_rules, seed)
    return Workload(seed, rules, lists, make_tickets(n_tickets, seed))


def used_lists(
    rules: tuple[Rule, ...], lists: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """The declared lists that `rules` refer to, in name order."""
    names: set[str] = set()

    def walk(node: Node) -> None:
        if isinstance(node, (And, Or)):
            for item in node.items:
                walk(item)
        elif isinstance(node, Not):
            walk(node.item)
        elif isinstance(node, In) and node.list_name is not None:
            names.add(node.list_name)

    for rule in rules:
        walk(rule.when)
    return {name: lists[name] for name in sorted(names)}


# ---------------------------------------------------------------------------- routing

_ROUTING_PATHS = {
    "channel": "channel",
    "priority": "priority",
    "language": "requester.language",
    "domain": "requester.domain",
    "plan": "fields.plan",
    "region": "fields.region",
    "mrr": "fields.mrr",
    "seats": "fields.seats",
    "subject": "subject",
    "body": "body",
}


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def routing_expr(node: Node) -> str:
    """The condition in routing's expression language."""
    if isinstance(node, And):
        return " and ".join(_paren(routing_expr(i), i, Or) for i in node.items)
    if isinstance(node, Or):
        return " or ".join(routing_expr(i) for i in node.items)
    if isinstance(node, Not):
        return f"not ({routing_expr(node.item)})"
    if isinstance(node, Eq):
        return f"{_ROUTING_PATHS[node.path]} == {_q(node.value)}"
    if isinstance(node, In):
        target = (
            f"${node.list_name}"
            if node.list_name
            else "[" + ", ".join(_q(v) for v in node.values) + "]"
        )
        return f"{_ROUTING_PATHS[node.path]} in {target}"
    if isinstance(node, Cmp):
        return f"{_ROUTING_PATHS[node.path]} {node.op} {node.value}"
    if isinstance(node, HasTag):
        return f"tags has {_q(node.tag)}"
    if isinstance(node, Contains):
        return f"{node.path} contains {_q(node.needle)}"
    return f"subject matches /{node.pattern}/{'i' if node.ignore_case else ''}"


def _paren(text: str, node: Node, kind: type) -> str:
    return f"({text})" if isinstance(node, kind) else text


def _yaml_single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def routing_yaml(rules: tuple[Rule, ...], lists: dict[str, tuple[str, ...]]) -> str:
    """One rule file: declared fields, lists and queues, one ``mode: all`` stage whose rules
    each tag the ticket with their own name, so ``decision.fired`` lists the matches."""
    out = [
        "version: 1",
        "fields:",
        "  plan: {type: enum, values: [free, starter, pro, business, enterprise]}",
        "  region: {type: enum, values: [eu, us, apac, latam]}",
        "  mrr: {type: number}",
        "  seats: {type: number}",
        "lists:",
    ]
    used = used_lists(rules, lists)
    for name, values in used.items():
        out.append(f"  {name}: [{', '.join(values)}]")
    if not used:
        out[-1] = "lists: {}"
    out += ["queues: [triage, billing, tech, sales]", "stages:", "  - name: rules", "    mode: all"]
    out.append("    rules:")
    for rule in rules:
        out.append(f"      - name: {rule.name}")
        out.append(f"        when: {_yaml_single(routing_expr(rule.when))}")
        out.append(f"        then: [{{tag: {rule.name}}}]")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- baseline

_PY_PATHS = {
    "channel": "t['channel']",
    "priority": "t['priority']",
    "language": "t['requester']['language']",
    "domain": "t['requester']['email'].rpartition('@')[2].lower()",
    "plan": "t['fields']['plan']",
    "region": "t['fields']['region']",
    "mrr": "t['fields']['mrr']",
    "seats": "t['fields']['seats']",
}


def python_source(rules: tuple[Rule, ...], lists: dict[str, tuple[str, ...]]) -> str:
    """A module of hand-written rules: one function per rule taking the ticket dict, the way
    a careful engineer writes them (``'refund' in t['subject'].lower()``, regexes compiled
    once, lists as frozensets), and ``RULES``, the (name, function) pairs in order.

    Generated as text for the benchmark's baseline only.
    """
    head = ["import re", ""]
    for name, values in used_lists(rules, lists).items():
        head.append(f"{name.upper()} = frozenset({sorted(values)!r})")
    regexes: dict[tuple[str, bool], str] = {}

    def expr(node: Node) -> str:
        if isinstance(node, And):
            return " and ".join(_paren(expr(i), i, Or) for i in node.items)
        if isinstance(node, Or):
            return " or ".join(expr(i) for i in node.items)
        if isinstance(node, Not):
            return f"not ({expr(node.item)})"
        if isinstance(node, Eq):
            return f"{_PY_PATHS[node.path]} == {node.value!r}"
        if isinstance(node, In):
            target = node.list_name.upper() if node.list_name else repr(node.values)
            return f"{_PY_PATHS[node.path]} in {target}"
        if isinstance(node, Cmp):
            return f"{_PY_PATHS[node.path]} {node.op} {node.value}"
        if isinstance(node, HasTag):
            return f"{node.tag!r} in t['tags']"
        if isinstance(node, Contains):
            return f"{node.needle!r} in t[{node.path!r}].lower()"
        key = (node.pattern, node.ignore_case)
        if key not in regexes:
            regexes[key] = f"RX_{len(regexes)}"
            flags = ", re.IGNORECASE" if node.ignore_case else ""
            head.append(f"{regexes[key]} = re.compile({node.pattern!r}{flags})")
        return f"{regexes[key]}.search(t['subject']) is not None"

    body: list[str] = []
    for rule in rules:
        body += ["", "", f"def {rule.name}(t):", f"    return {expr(rule.when)}"]
    body += ["", "", "RULES = ["]
    body += [f"    ({rule.name!r}, {rule.name})," for rule in rules]
    body.append("]")
    return "\n".join(head + body) + "\n"


# ---------------------------------------------------------------------------- peers


def facts(ticket: dict[str, Any]) -> dict[str, Any]:
    """The flat per-ticket input the peers read, built once per ticket from the dict.

    Subject and body are lower-cased here, once, because business-rules and json-logic
    have no lower-casing operator; the other peers get the same input for a fair comparison.
    """
    req = ticket["requester"]
    f = ticket["fields"]
    subject = ticket["subject"]
    return {
        "channel": ticket["channel"],
        "priority": ticket["priority"],
        "language": req["language"],
        "domain": req["email"].rpartition("@")[2].lower(),
        "plan": f["plan"],
        "region": f["region"],
        "mrr": float(f["mrr"]),
        "seats": float(f["seats"]),
        "tags": list(ticket["tags"]),
        "subject": subject,
        "subject_lower": subject.lower(),
        "body_lower": ticket["body"].lower(),
    }


def _inline_regex(node: Regex) -> str:
    return ("(?i)" if node.ignore_case else "") + node.pattern


_NEGATED_CMP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_BR_CMP = {
    "<": "less_than",
    "<=": "less_than_or_equal_to",
    ">": "greater_than",
    ">=": "greater_than_or_equal_to",
}


def business_rules_rule(rule: Rule) -> dict[str, Any]:
    """business-rules' JSON form: ``all``/``any`` of ``{name, operator, value}`` conditions.

    business-rules has no ``not``; a negated atom becomes the negated operator (the bench
    declares ``not_equal_to``, ``not_in``, ``does_not_contain`` and ``not_matches_regex``
    on its variable types, as business-rules lets you).
    """

    def cond(node: Node, negate: bool = False) -> dict[str, Any]:
        if isinstance(node, And):
            return {"all": [cond(i) for i in node.items]}
        if isinstance(node, Or):
            return {"any": [cond(i) for i in node.items]}
        if isinstance(node, Not):
            return cond(node.item, True)
        if isinstance(node, Eq):
            op = "not_equal_to" if negate else "equal_to"
            return {"name": node.path, "operator": op, "value": node.value}
        if isinstance(node, In):
            op = "not_in" if negate else "is_in"
            return {"name": node.path, "operator": op, "value": list(node.values)}
        if isinstance(node, Cmp):
            op = _NEGATED_CMP[node.op] if negate else node.op
            return {"name": node.path, "operator": _BR_CMP[op], "value": node.value}
        if isinstance(node, HasTag):
            op = "does_not_contain" if negate else "contains"
            return {"name": "tags", "operator": op, "value": node.tag}
        if isinstance(node, Contains):
            op = "does_not_contain" if negate else "contains"
            return {"name": f"{node.path}_lower", "operator": op, "value": node.needle}
        op = "not_matches_regex" if negate else "matches_regex"
        return {"name": "subject", "operator": op, "value": _inline_regex(node)}

    return {
        "conditions": cond(rule.when if isinstance(rule.when, (And, Or)) else And((rule.when,))),
        "actions": [{"name": "fire", "params": {"rule": rule.name}}],
    }


def json_logic_rule(node: Node) -> Any:
    """JsonLogic; regexes use a ``regex`` operation the bench registers."""
    if isinstance(node, And):
        return {"and": [json_logic_rule(i) for i in node.items]}
    if isinstance(node, Or):
        return {"or": [json_logic_rule(i) for i in node.items]}
    if isinstance(node, Not):
        return {"!": [json_logic_rule(node.item)]}
    if isinstance(node, Eq):
        return {"==": [{"var": node.path}, node.value]}
    if isinstance(node, In):
        return {"in": [{"var": node.path}, list(node.values)]}
    if isinstance(node, Cmp):
        return {node.op: [{"var": node.path}, node.value]}
    if isinstance(node, HasTag):
        return {"in": [node.tag, {"var": "tags"}]}
    if isinstance(node, Contains):
        return {"in": [node.needle, {"var": f"{node.path}_lower"}]}
    return {"regex": [_inline_regex(node), {"var": "subject"}]}


def _c_style(node: Node, and_: str, or_: str, not_: str, dialect: str) -> str:
    def go(n: Node) -> str:
        if isinstance(n, And):
            return f" {and_} ".join(_paren(go(i), i, Or) for i in n.items)
        if isinstance(n, Or):
            return f" {or_} ".join(go(i) for i in n.items)
        if isinstance(n, Not):
            return f"{not_}({go(n.item)})"
        if isinstance(n, Eq):
            return f"{n.path} == {_q(n.value)}"
        if isinstance(n, In):
            return f"{n.path} in [{', '.join(_q(v) for v in n.values)}]"
        if isinstance(n, Cmp):
            return f"{n.path} {n.op} {float(n.value)!r}"
        if isinstance(n, HasTag):
            return f"{_q(n.tag)} in tags"
        if isinstance(n, Contains):
            if dialect == "cel":
                return f"{n.path}_lower.contains({_q(n.needle)})"
            if dialect == "zen":
                return f"contains({n.path}_lower, {_q(n.needle)})"
            return f"{_q(n.needle)} in {n.path}_lower"
        pattern = _q(_inline_regex(n))
        if dialect == "cel":
            return f"subject.matches({pattern})"
        if dialect == "zen":
            return f"matches(subject, {pattern})"
        return f"subject =~~ {pattern}"

    return go(node)


def rule_engine_text(node: Node) -> str:
    """rule-engine's expression language (``=~~`` is its regex search)."""
    return _c_style(node, "and", "or", "not ", "rule_engine")


def cel_text(node: Node) -> str:
    """CEL (common-expression-language)."""
    return _c_style(node, "&&", "||", "!", "cel")


def zen_text(node: Node) -> str:
    """zen-engine's expression language (a decision table cell)."""
    return _c_style(node, "and", "or", "not ", "zen")


def zen_decision(rules: tuple[Rule, ...]) -> str:
    """A zen-engine decision (JDM JSON): input -> one decision table -> output. The table has
    one expression column (a cell per rule, `zen_text`) and hit policy ``collect``, so the
    result lists the ``rule`` output of every matching row."""
    table = {
        "hitPolicy": "collect",
        "inputs": [{"id": "when", "name": "when", "field": ""}],
        "outputs": [{"id": "rule", "name": "rule", "field": "rule"}],
        "rules": [
            {"_id": rule.name, "when": zen_text(rule.when), "rule": json.dumps(rule.name)}
            for rule in rules
        ],
    }
    node = {"position": {"x": 0, "y": 0}}
    content = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "in", **node},
            {"id": "rules", "type": "decisionTableNode", "name": "rules", "content": table, **node},
            {"id": "out", "type": "outputNode", "name": "out", **node},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "rules", "type": "edge"},
            {"id": "e2", "sourceId": "rules", "targetId": "out", "type": "edge"},
        ],
    }
    return json.dumps(content, ensure_ascii=False)
