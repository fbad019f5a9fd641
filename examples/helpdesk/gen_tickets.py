#!/usr/bin/env python3
# ruff: noqa: E501, RUF001 - long lines and full-width punctuation are ticket text
"""Generate ``tickets.jsonl``: 1,200 recorded help desk tickets for the Acme Cloud example.

The tickets are synthetic but realistic: billing questions, refunds and chargebacks,
outages, bugs, how-to questions, sales enquiries, security and abuse reports, spam,
out-of-office auto-replies, mailing-list mail and bounces, in English, German, French,
Spanish, Portuguese and Japanese, spread over November and December 2026 (nights,
weekends and the 24 December company holiday included).

Each line is one ticket (the shape of DESIGN section 3), or, for about 15% of the lines,
an envelope ``{"ticket": {...}, "now": "..."}`` that gives that ticket its own evaluation
instant (as ``routing dry-run`` reads it).

The output is a pure function of the seed: ``random.Random(2026)``, plain stdlib, no
time zone database (the offsets used are fixed for November-December 2026), so
regenerating gives byte-identical output on every machine::

    python examples/helpdesk/gen_tickets.py                 # writes tickets.jsonl here
    python examples/helpdesk/gen_tickets.py --out /tmp/t.jsonl --count 100
"""

from __future__ import annotations

import argparse
import json
import random
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import ClassVar

SEED = 2026
COUNT = 1200
ENVELOPE_SHARE = 0.15
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "tickets.jsonl"

# Fixed UTC offsets, valid for the whole generated period (2 Nov - 31 Dec 2026: after the
# autumn DST changes of both Europe and North America, before any spring change).
TZ_OFFSETS = {
    "Europe/Berlin": 1,
    "Europe/Paris": 1,
    "Europe/Madrid": 1,
    "Europe/Vienna": 1,
    "Europe/Zurich": 1,
    "Europe/Brussels": 1,
    "Europe/London": 0,
    "Europe/Lisbon": 0,
    "America/New_York": -5,
    "America/Chicago": -6,
    "America/Los_Angeles": -8,
    "America/Mexico_City": -6,
    "America/Sao_Paulo": -3,
    "America/Toronto": -5,
    "Asia/Tokyo": 9,
}

# --------------------------------------------------------------------------- people

FIRST_NAMES = {
    "en": [
        "James",
        "Emily",
        "Michael",
        "Sarah",
        "David",
        "Olivia",
        "Daniel",
        "Grace",
        "Ryan",
        "Chloe",
        "Aaron",
        "Megan",
        "Priya",
        "Tom",
        "Hannah",
        "Marcus",
    ],
    "de": [
        "Jonas",
        "Lea",
        "Lukas",
        "Anna",
        "Felix",
        "Marie",
        "Paul",
        "Sophie",
        "Maximilian",
        "Katharina",
        "Jan",
        "Julia",
        "Stefan",
        "Sabine",
    ],
    "fr": [
        "Louis",
        "Camille",
        "Hugo",
        "Chloé",
        "Lucas",
        "Manon",
        "Théo",
        "Léa",
        "Julien",
        "Élodie",
        "Antoine",
        "Inès",
    ],
    "es": [
        "Alejandro",
        "Lucía",
        "Pablo",
        "María",
        "Javier",
        "Carmen",
        "Diego",
        "Sofía",
        "Sergio",
        "Elena",
        "Andrés",
        "Valentina",
    ],
    "pt": [
        "João",
        "Ana",
        "Pedro",
        "Beatriz",
        "Rafael",
        "Mariana",
        "Lucas",
        "Camila",
        "Gabriel",
        "Larissa",
    ],
    "ja": ["Haruto", "Yui", "Sota", "Aoi", "Ren", "Sakura", "Takumi", "Yuna", "Daiki", "Mei"],
}
LAST_NAMES = {
    "en": [
        "Smith",
        "Johnson",
        "Brown",
        "Taylor",
        "Wilson",
        "Clarke",
        "Walker",
        "Patel",
        "Nguyen",
        "Murphy",
        "Evans",
        "Cooper",
    ],
    "de": [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Wagner",
        "Becker",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Richter",
        "Wolf",
    ],
    "fr": [
        "Martin",
        "Bernard",
        "Dubois",
        "Thomas",
        "Robert",
        "Petit",
        "Durand",
        "Leroy",
        "Moreau",
        "Lefèvre",
    ],
    "es": [
        "García",
        "Fernández",
        "González",
        "Rodríguez",
        "López",
        "Martínez",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Ruiz",
    ],
    "pt": [
        "Silva",
        "Santos",
        "Oliveira",
        "Souza",
        "Costa",
        "Pereira",
        "Ferreira",
        "Almeida",
        "Ribeiro",
    ],
    "ja": [
        "Sato",
        "Suzuki",
        "Takahashi",
        "Tanaka",
        "Watanabe",
        "Ito",
        "Yamamoto",
        "Nakamura",
        "Kobayashi",
    ],
}

# Customer organisations: (domain, organisation, language, time zone, plan, mrr range).
# The first five are the key accounts of the `vip_domains` list.
COMPANIES = [
    ("bigcorp.com", "BigCorp Inc.", "en", "America/New_York", "enterprise", (12000, 40000)),
    ("example.org", "Example Foundation", "en", "Europe/London", "enterprise", (6000, 9000)),
    ("nordbank.de", "Nordbank AG", "de", "Europe/Berlin", "enterprise", (15000, 30000)),
    ("medilab.fr", "MédiLab SAS", "fr", "Europe/Paris", "enterprise", (5000, 8000)),
    ("globex.com", "Globex Corporation", "en", "America/Chicago", "pro", (3000, 6000)),
    ("initech.io", "Initech", "en", "America/Los_Angeles", "pro", (400, 1500)),
    ("umbrella-labs.co.uk", "Umbrella Labs Ltd", "en", "Europe/London", "pro", (800, 2500)),
    ("stark-logistics.com", "Stark Logistics", "en", "America/Toronto", "enterprise", (2000, 4800)),
    ("brightwave.ie", "Brightwave", "en", "Europe/London", "free", (0, 0)),
    ("pixelforge.dev", "Pixelforge", "en", "Europe/London", "pro", (150, 600)),
    ("stateu.edu", "State University", "en", "America/New_York", "pro", (200, 900)),
    ("cam-research.ac.uk", "Cambridge Research Group", "en", "Europe/London", "free", (0, 0)),
    ("bauhaus-software.de", "Bauhaus Software GmbH", "de", "Europe/Berlin", "pro", (300, 1800)),
    ("alpenmedia.at", "Alpenmedia GmbH", "de", "Europe/Vienna", "pro", (200, 700)),
    (
        "zuericloud.ch",
        "Zürich Cloud Services AG",
        "de",
        "Europe/Zurich",
        "enterprise",
        (3000, 4500),
    ),
    ("schreinerei-weber.de", "Schreinerei Weber", "de", "Europe/Berlin", "free", (0, 0)),
    ("lumiere-studio.fr", "Lumière Studio", "fr", "Europe/Paris", "pro", (100, 900)),
    ("bruxelles-data.be", "Bruxelles Data SPRL", "fr", "Europe/Brussels", "pro", (500, 1200)),
    ("boulangerie-petit.fr", "Boulangerie Petit", "fr", "Europe/Paris", "free", (0, 0)),
    ("soluciones-nube.es", "Soluciones Nube S.L.", "es", "Europe/Madrid", "pro", (200, 1100)),
    ("tiendaverde.mx", "Tienda Verde", "es", "America/Mexico_City", "free", (0, 0)),
    ("datos-abiertos.es", "Datos Abiertos", "es", "Europe/Madrid", "enterprise", (2500, 4000)),
    ("nuvem-rapida.com.br", "Nuvem Rápida Ltda", "pt", "America/Sao_Paulo", "pro", (150, 1000)),
    ("lisboa-tech.pt", "Lisboa Tech", "pt", "Europe/Lisbon", "free", (0, 0)),
    ("sakura-systems.co.jp", "Sakura Systems K.K.", "ja", "Asia/Tokyo", "enterprise", (4000, 9000)),
    ("tokyo-apps.jp", "Tokyo Apps", "ja", "Asia/Tokyo", "pro", (200, 800)),
]
FREE_MAIL = {
    "en": ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com"],
    "de": ["gmx.de", "web.de", "gmail.com"],
    "fr": ["laposte.net", "gmail.com", "outlook.com"],
    "es": ["gmail.com", "hotmail.com", "yahoo.com"],
    "pt": ["gmail.com", "hotmail.com"],
    "ja": ["gmail.com", "yahoo.co.jp"],
}
DEFAULT_TZ = {
    "en": ["Europe/London", "America/New_York", "America/Los_Angeles"],
    "de": ["Europe/Berlin", "Europe/Vienna"],
    "fr": ["Europe/Paris", "Europe/Brussels"],
    "es": ["Europe/Madrid", "America/Mexico_City"],
    "pt": ["America/Sao_Paulo", "Europe/Lisbon"],
    "ja": ["Asia/Tokyo"],
}
LANG_WEIGHTS = {"en": 50, "de": 16, "fr": 10, "es": 10, "pt": 6, "ja": 8}

PRODUCTS = ["compute", "storage", "database", "network"]
REGIONS = ["eu-central-1", "eu-west-2", "us-east-1", "us-west-1", "ap-northeast-1"]
THING = {  # a product resource, by product, for the text
    "compute": ["instance", "VM", "Kubernetes cluster", "GPU instance", "autoscaling group"],
    "storage": ["bucket", "volume", "snapshot", "object storage bucket", "backup"],
    "database": ["Postgres database", "MySQL database", "Redis cache", "read replica", "database"],
    "network": ["load balancer", "VPC", "DNS zone", "firewall", "CDN endpoint"],
}
ERRORS = [
    "HTTP 502 Bad Gateway",
    "HTTP 503 Service Unavailable",
    "error 500",
    "connection timeout",
    "SSL certificate error",
    "ECONNRESET",
    "permission denied (403)",
    "404 Not Found",
]

# --------------------------------------------------------------------------- texts
# Each category maps a language to (subject, body) pairs. Bodies are joined with a
# greeting and a sign-off in the same language. Placeholders: {thing} {region} {error}
# {amount} {order} {n} {month} {org} {seats} {product}.

T: dict[str, dict[str, list[tuple[str, str]]]] = {
    "billing": {
        "en": [
            (
                "Question about invoice {order}",
                "I just received invoice {order} for {month} and the amount ({amount} EUR) is "
                "higher than last month. Could you explain which items were added?",
            ),
            (
                "VAT number missing on our invoice",
                "Our VAT ID is not printed on the last invoice, which our accounting needs. "
                "Can you add it and send a corrected invoice?",
            ),
            (
                "Change credit card",
                "Our company credit card expires at the end of the month. Where in the "
                "console do I update the payment method?",
            ),
            (
                "Payment failed",
                "We got an e-mail saying our payment failed, but the card works fine "
                "elsewhere. Please check what happened with order {order}.",
            ),
            (
                "Need receipts for {month}",
                "Could you send me all receipts for {month}? Our auditors need them by Friday.",
            ),
        ],
        "de": [
            (
                "Frage zur Rechnung {order}",
                "wir haben die Rechnung {order} für {month} erhalten. Der Betrag von {amount} "
                "EUR ist deutlich höher als sonst. Können Sie uns die Positionen erklären?",
            ),
            (
                "Rechnungsadresse ändern",
                "unsere Firma ist umgezogen. Bitte ändern Sie die Rechnungsadresse ab der "
                "nächsten Rechnung auf: Hauptstraße 12, 10827 Berlin.",
            ),
            (
                "Zahlung per SEPA-Lastschrift",
                "ist es möglich, statt per Kreditkarte per SEPA-Lastschrift zu bezahlen?",
            ),
        ],
        "fr": [
            (
                "Question sur la facture {order}",
                "nous avons reçu la facture {order} de {month} d'un montant de {amount} EUR. "
                "Pourriez-vous nous détailler les lignes facturées ?",
            ),
            (
                "Numéro de TVA manquant",
                "notre numéro de TVA intracommunautaire n'apparaît pas sur la facture. "
                "Pouvez-vous nous envoyer une facture corrigée ?",
            ),
        ],
        "es": [
            (
                "Consulta sobre la factura {order}",
                "hemos recibido la factura {order} de {month} por {amount} EUR y no "
                "entendemos algunos conceptos. ¿Nos pueden dar el detalle?",
            ),
            (
                "Cambiar el método de pago",
                "quisiera cambiar la tarjeta de crédito asociada a la cuenta. ¿Cómo lo hago?",
            ),
        ],
        "pt": [
            (
                "Dúvida sobre a fatura {order}",
                "recebemos a fatura {order} de {month} no valor de {amount} EUR. Poderiam "
                "explicar por que o valor aumentou?",
            ),
        ],
        "ja": [
            (
                "請求書 {order} について",
                "{month}分の請求書 {order} の金額が先月より高くなっています。内訳を教えていただけますか。",
            ),
        ],
    },
    "refund": {
        "en": [
            (
                "Refund request for order {order}",
                "We cancelled our Pro subscription on day two of the billing period but were "
                "charged the full month ({amount} EUR). We would like a refund, please.",
            ),
            (
                "Charged twice this month",
                "Our card was charged twice for {month} ({amount} EUR each time). Please "
                "refund the duplicate payment.",
            ),
            (
                "money back for unused credits",
                "We closed our account and still had prepaid credits left. Can we get our "
                "money back?",
            ),
            (
                "Refund please",
                "I signed up by mistake with my personal card instead of the company one. "
                "Could you refund the {amount} EUR?",
            ),
        ],
        "de": [
            (
                "Rückerstattung für {order}",
                "wir wurden für {month} doppelt belastet ({amount} EUR). Bitte veranlassen "
                "Sie eine Rückerstattung des doppelten Betrags.",
            ),
            (
                "Erstattung nach Kündigung",
                "wir haben unseren Vertrag fristgerecht gekündigt, wurden aber trotzdem für "
                "den Folgemonat belastet. Wir bitten um Erstattung.",
            ),
        ],
        "fr": [
            (
                "Demande de remboursement",
                "nous avons été prélevés deux fois pour {month} ({amount} EUR). Merci de "
                "procéder au remboursement du doublon (commande {order}).",
            ),
        ],
        "es": [
            (
                "Solicitud de reembolso",
                "nos han cobrado dos veces la suscripción de {month}. Solicitamos el "
                "reembolso de {amount} EUR, pedido {order}.",
            ),
        ],
        "pt": [
            (
                "Pedido de reembolso",
                "fomos cobrados em duplicidade em {month}. Gostaríamos de solicitar o "
                "reembolso de {amount} EUR referente ao pedido {order}.",
            ),
        ],
        "ja": [
            (
                "返金のお願い",
                "{month}分が二重に請求されていました。注文番号 {order} の返金をお願いします。",
            ),
        ],
    },
    "chargeback": {
        "en": [
            (
                "Chargeback notice for {order}",
                "Our bank informed us that a chargeback was opened for order {order}. We did "
                "not authorise this payment of {amount} EUR and want to understand it.",
            ),
            (
                "Disputed payment",
                "I have disputed the last charge with my bank because I do not recognise "
                "it. Please tell me what it was for before the chargeback goes through.",
            ),
        ],
        "de": [
            (
                "Rücklastschrift {order}",
                "unsere Bank hat eine Rücklastschrift (Chargeback) zu {order} gemeldet. Wir "
                "haben diese Zahlung nicht autorisiert.",
            ),
        ],
    },
    "outage": {
        "en": [
            (
                "URGENT: production {thing} down in {region}",
                "Since about 20 minutes our production {thing} in {region} is down. "
                "Requests fail with {error}. This affects all our customers, please help "
                "immediately!",
            ),
            (
                "Outage in {region}?",
                "Is there an outage in {region}? Our {thing} is unreachable since this "
                "morning and the status page shows everything green.",
            ),
            (
                "{error} on all endpoints",
                "All our API endpoints return {error} since 10 minutes. Nothing was deployed "
                "on our side. Is something wrong with your platform?",
            ),
            (
                "Service not responding!!!",
                "Our {thing} is not responding at all. We are losing money every minute. "
                "This is unacceptable for a paid plan.",
            ),
        ],
        "de": [
            (
                "Ausfall: {thing} in {region} nicht erreichbar",
                "seit ca. 15 Minuten ist unsere {thing} in {region} nicht erreichbar. "
                "Alle Anfragen enden mit {error}. Bitte dringend prüfen!",
            ),
            (
                "Dringend: Produktionssystem down",
                "unser Produktionssystem ist komplett down. Gibt es einen Ausfall bei "
                "Ihnen? Die Statusseite zeigt nichts an.",
            ),
        ],
        "fr": [
            (
                "Panne en production",
                "notre {thing} en {region} ne répond plus depuis 30 minutes ({error}). "
                "Y a-t-il une panne en cours chez vous ?",
            ),
        ],
        "es": [
            (
                "Caída del servicio en {region}",
                "nuestro {thing} en {region} no responde desde hace media hora ({error}). "
                "¿Hay una caída en su plataforma? Es urgente.",
            ),
        ],
        "pt": [
            (
                "Serviço fora do ar",
                "nosso {thing} em {region} está fora do ar há 20 minutos, com {error}. "
                "Vocês estão com algum problema?",
            ),
        ],
        "ja": [
            (
                "{region} で障害が発生していますか",
                "本番環境の {thing} に接続できません（{error}）。{region} で障害が発生していますか。至急確認をお願いします。",
            ),
        ],
    },
    "bug": {
        "en": [
            (
                "Bug: console shows wrong {thing} size",
                "The console shows our {thing} as 10 GB but the CLI reports 100 GB. Looks "
                "like a display bug. Screenshot attached.",
            ),
            (
                "API returns {error} when creating a {thing}",
                "Creating a {thing} through the API fails with {error}. The same request "
                "worked last week. Request ID: req-{n}.",
            ),
            (
                "Terraform provider crash",
                "The Terraform provider crashes with a panic when I import an existing "
                "{thing}. Log attached. Provider version 3.{n_small}.0.",
            ),
            (
                "Mobile app crashes on login",
                "Since the latest update the iOS app crashes right after login. Reinstalling "
                "did not help.",
            ),
            (
                "SSL certificate not renewed",
                "The managed certificate for our custom domain expired yesterday although "
                "auto-renew is enabled. Browsers now show a warning.",
            ),
        ],
        "de": [
            (
                "Fehler beim Anlegen einer {thing}",
                "beim Anlegen einer neuen {thing} über die API bekommen wir {error}. "
                "Request-ID req-{n}. Letzte Woche ging es noch.",
            ),
            (
                "Fehler in der Konsole",
                "in der Konsole wird seit gestern die Größe unserer {thing} falsch "
                "angezeigt. Screenshot anbei.",
            ),
        ],
        "fr": [
            (
                "Erreur lors de la création d'un {thing}",
                "la création d'un {thing} via l'API échoue avec {error}. Pouvez-vous "
                "regarder ? Identifiant de requête : req-{n}.",
            ),
        ],
        "es": [
            (
                "Error al crear un {thing}",
                "al crear un {thing} con la API recibimos {error}. Adjunto el log. "
                "Identificador de la petición: req-{n}.",
            ),
        ],
        "pt": [
            (
                "Erro ao criar {thing}",
                "ao criar um {thing} pela API recebemos {error}. O log está em anexo.",
            ),
        ],
        "ja": [
            (
                "{thing} 作成時のエラー",
                "API で {thing} を作成すると {error} のエラーが返ります。ログを添付します。",
            ),
        ],
    },
    "howto": {
        "en": [
            (
                "How do I resize a {thing}?",
                "What is the recommended way to resize a {thing} without downtime? I could "
                "not find it in the docs.",
            ),
            (
                "Setting up backups",
                "How can I schedule daily backups of our {thing} and keep them for 30 days?",
            ),
            (
                "Question about API rate limits",
                "What are the rate limits of the public API? We plan to run about {n} "
                "requests per hour.",
            ),
            (
                "Move resources between projects",
                "Is it possible to move a {thing} from one project to another, or do I have "
                "to recreate it?",
            ),
            (
                "2FA for team members",
                "How do I enforce two-factor authentication for everyone in our organisation?",
            ),
        ],
        "de": [
            (
                "Wie vergrößere ich eine {thing}?",
                "wie kann ich unsere {thing} ohne Ausfallzeit vergrößern? In der "
                "Dokumentation habe ich nichts gefunden.",
            ),
            (
                "Backups einrichten",
                "wie richte ich tägliche Backups für unsere {thing} ein, die 30 Tage "
                "aufbewahrt werden?",
            ),
        ],
        "fr": [
            (
                "Comment redimensionner un {thing} ?",
                "quelle est la méthode recommandée pour redimensionner un {thing} sans "
                "interruption de service ?",
            ),
            (
                "Sauvegardes automatiques",
                "comment programmer des sauvegardes quotidiennes de notre {thing} ?",
            ),
        ],
        "es": [
            (
                "¿Cómo amplío un {thing}?",
                "¿cuál es la forma recomendada de ampliar un {thing} sin tiempo de inactividad?",
            ),
        ],
        "pt": [
            (
                "Como configurar backups?",
                "como faço para agendar backups diários do nosso {thing}?",
            ),
            ("Dúvida sobre limites da API", "quais são os limites de requisições da API pública?"),
        ],
        "ja": [
            (
                "{thing} のサイズ変更方法",
                "ダウンタイムなしで {thing} のサイズを変更する方法を教えてください。",
            ),
            (
                "バックアップの設定について",
                "{thing} の毎日のバックアップを設定する方法を教えてください。",
            ),
        ],
    },
    "sales": {
        "en": [
            (
                "Pricing for {seats} seats",
                "We are evaluating Acme Cloud for a team of {seats} engineers. Could you "
                "send us a quote for the Enterprise plan and tell us about volume discounts?",
            ),
            (
                "Request a demo",
                "I would like to schedule a demo of your managed {product} offering for our "
                "CTO next week.",
            ),
            (
                "Upgrade to Enterprise",
                "We are on the Pro plan and would like to upgrade to Enterprise. What are "
                "the next steps and how is the price calculated?",
            ),
            (
                "Reseller partnership",
                "We are an IT services company and would like to become a reseller partner. "
                "Who can I talk to?",
            ),
            (
                "Extend our trial",
                "Our trial ends on Friday but we have not finished our evaluation. Is it "
                "possible to extend it by two weeks?",
            ),
        ],
        "de": [
            (
                "Angebot für {seats} Nutzer",
                "wir möchten Acme Cloud für {seats} Mitarbeitende einsetzen. Können Sie uns "
                "ein Angebot für den Enterprise-Tarif schicken?",
            ),
        ],
        "fr": [
            (
                "Demande de devis",
                "nous souhaitons recevoir un devis pour {seats} utilisateurs sur l'offre "
                "Enterprise.",
            ),
        ],
        "es": [
            (
                "Solicitud de presupuesto",
                "nos gustaría recibir un presupuesto para {seats} usuarios y conocer los "
                "descuentos por volumen.",
            ),
        ],
        "pt": [
            (
                "Pedido de demonstração",
                "gostaríamos de agendar uma demo do produto de {product} para a nossa equipe.",
            ),
        ],
        "ja": [
            (
                "見積もりのお願い",
                "{seats} 名で利用を検討しています。Enterprise プランのお見積もりをお願いします。",
            ),
        ],
    },
    "cancel": {
        "en": [
            (
                "Cancel our subscription",
                "Please cancel our subscription at the end of the current billing period. "
                "We are moving our workloads in-house.",
            ),
            (
                "How to cancel",
                "How do I cancel my subscription? I cannot find the button in the console.",
            ),
        ],
        "de": [
            (
                "Vertrag kündigen",
                "hiermit möchten wir unseren Vertrag zum nächstmöglichen Zeitpunkt kündigen. "
                "Bitte bestätigen Sie die Kündigung.",
            ),
        ],
    },
    "security": {
        "en": [
            (
                "Security vulnerability in your login page",
                "I found a stored XSS vulnerability in the organisation name field of your "
                "console. Proof of concept attached. Please tell me how you want to "
                "coordinate disclosure.",
            ),
            (
                "Our account may be compromised",
                "We see API keys we did not create and {n} new instances in {region}. We "
                "think our account was hacked. Please lock it down.",
            ),
            (
                "Phishing mail pretending to be Acme Cloud",
                "Several of our employees received a phishing e-mail asking them to "
                "'verify their Acme Cloud billing details'. Forwarding one as attachment.",
            ),
            (
                "Question about CVE-2026-{n}",
                "Are your managed {thing} images affected by CVE-2026-{n}? Our security "
                "team needs a statement.",
            ),
        ],
        "de": [
            (
                "Sicherheitslücke gemeldet",
                "ich habe in Ihrer Konsole eine Sicherheitslücke (CSRF beim Ändern der "
                "E-Mail-Adresse) gefunden. Details sende ich gern verschlüsselt.",
            ),
        ],
        "fr": [
            (
                "Faille de sécurité",
                "je pense avoir trouvé une faille de sécurité dans votre API "
                "d'authentification. Comment puis-je vous transmettre les détails ?",
            ),
        ],
    },
    "abuse": {
        "en": [
            (
                "Abuse report: DDoS from your network",
                "Our servers are receiving a DDoS attack from IP addresses in your {region} "
                "range. Logs attached. Please stop this traffic.",
            ),
            (
                "DMCA notice",
                "A bucket hosted on your platform serves copyrighted material of our client. "
                "This is a formal DMCA takedown notice.",
            ),
            (
                "Malware hosted on your platform",
                "The URL below, hosted in your object storage, distributes malware. Please "
                "take it down.",
            ),
        ],
    },
    "feedback": {
        "en": [
            (
                "Thanks for the quick help",
                "Just wanted to say thanks to your support team for solving our issue so "
                "quickly yesterday.",
            ),
            (
                "Feature request: dark mode",
                "Would love a dark mode in the console. Our team works late a lot.",
            ),
            ("Ok", "Thanks."),
            (
                "Your docs are outdated",
                "The getting-started guide still shows the old console. Ridiculous that "
                "nobody updated it in six months.",
            ),
        ],
        "de": [
            ("Danke!", "vielen Dank für die schnelle Hilfe gestern, hat alles geklappt."),
        ],
        "fr": [
            ("Merci", "merci beaucoup pour votre aide rapide."),
        ],
        "es": [
            ("Gracias", "muchas gracias por la ayuda, ya funciona todo."),
        ],
        "pt": [
            ("Obrigado", "muito obrigado pela ajuda rápida."),
        ],
        "ja": [
            ("お礼", "迅速なご対応ありがとうございました。"),
        ],
    },
}

GREETING = {
    "en": ["Hi,", "Hello,", "Hi team,", "Dear Acme Cloud support,", "Hello support,"],
    "de": ["Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Hallo zusammen,"],
    "fr": ["Bonjour,", "Madame, Monsieur,", "Bonjour l'équipe,"],
    "es": ["Hola,", "Buenos días,", "Estimado equipo de soporte:"],
    "pt": ["Olá,", "Bom dia,", "Prezados,"],
    "ja": ["お世話になっております。", "サポートご担当者様"],
}
SIGNOFF = {
    "en": ["Thanks,", "Best regards,", "Cheers,", "Kind regards,"],
    "de": ["Viele Grüße", "Mit freundlichen Grüßen", "Beste Grüße"],
    "fr": ["Cordialement,", "Bien à vous,", "Merci d'avance,"],
    "es": ["Saludos,", "Un saludo,", "Gracias de antemano,"],
    "pt": ["Atenciosamente,", "Obrigado,", "Abraços,"],
    "ja": ["よろしくお願いいたします。"],
}
MONTHS = {
    "en": ["October", "November", "December"],
    "de": ["Oktober", "November", "Dezember"],
    "fr": ["octobre", "novembre", "décembre"],
    "es": ["octubre", "noviembre", "diciembre"],
    "pt": ["outubro", "novembro", "dezembro"],
    "ja": ["10月", "11月", "12月"],
}

SPAM = [
    (
        "CRYPTO GIVEAWAY - DOUBLE YOUR BITCOIN TODAY",
        "Send 0.1 BTC to the wallet below and receive 0.2 BTC back instantly! Limited crypto "
        "giveaway for the first 100 people.\nhttps://btc-double.example/claim\n"
        "https://btc-double.example/wallet\nhttps://btc-double.example/faq",
    ),
    (
        "Guaranteed first page on Google",
        "Hello, I checked your website acme.example and found 23 SEO errors. Our SEO services "
        "offer guaranteed first page rankings and 500 high quality backlinks per month. "
        "Reply for a free audit.",
    ),
    (
        "Partnership for your website",
        "Dear webmaster, we sell high authority backlinks from DA 50+ sites. Price list: "
        "https://seo-boost.example/prices https://seo-boost.example/order "
        "https://seo-boost.example/reviews",
    ),
    (
        "You have won!",
        "Congratulations! You have won an iPhone 17. Claim your prize here: "
        "https://prize-center.example/claim?id=8812",
    ),
    (
        "Work from home and earn 5000$ a week",
        "Work from home with our proven system. No experience needed. Start today: "
        "https://easy-money.example",
    ),
    (
        "Exclusive casino bonus 200%",
        "Get your exclusive casino bonus now, 200% on your first deposit! "
        "https://lucky-spin.xyz/bonus",
    ),
    (
        "AIRDROP: claim your free tokens",
        "The biggest crypto airdrop of the year is live. Connect your wallet to claim 5,000 "
        "free tokens: https://airdrop-claim.example",
    ),
    (
        "Gana dinero desde casa",  # es
        "Gana dinero desde casa con nuestro sistema. Sin experiencia. https://dinero-facil.example",
    ),
    (
        "Geld verdienen von zu Hause",
        "Verdienen Sie bis zu 3000 Euro pro Woche. Geld verdienen von zu Hause war noch nie "
        "so einfach: https://reich-werden.example",
    ),
    (
        "IMPORTANT NOTICE ABOUT YOUR ACCOUNT",
        "Your mailbox is almost full. Click here to upgrade your storage for free: "
        "https://mail-upgrade.example/login",
    ),
]
SPAM_DOMAINS = [
    "gmail.com",
    "yahoo.com",
    "mail.ru",
    "yandex.ru",
    "hotmail.com",
    "seo-boost.example",
    "lucky-spin.xyz",
    "promo-mailer.xyz",
]

AUTOREPLY = {
    "en": (
        "Out of office: Re: {subject}",
        "I am out of the office until {date} with limited access to e-mail. For urgent "
        "matters please contact my colleague at support@{domain}.",
    ),
    "de": (
        "Abwesenheitsnotiz: Re: {subject}",
        "Ich bin bis einschließlich {date} nicht im Büro und habe keinen Zugriff auf "
        "meine E-Mails. In dringenden Fällen wenden Sie sich bitte an it@{domain}.",
    ),
    "fr": (
        "Absence du bureau : Re: {subject}",
        "Je suis absent(e) jusqu'au {date}. Pour toute urgence, merci de contacter it@{domain}.",
    ),
    "es": (
        "Respuesta automática: Re: {subject}",
        "Estoy fuera de la oficina hasta el {date}. Para asuntos urgentes escriba a it@{domain}.",
    ),
}
LISTS = [
    (
        "[devops-weekly] Issue #{n}: Kubernetes cost tricks",
        "This week: five ways to cut your Kubernetes bill, a deep dive into eBPF, and "
        "our favourite Terraform modules.\n\nTo unsubscribe from this list, visit "
        "https://lists.devops-weekly.example/unsubscribe",
        "devops-weekly.lists.devops-weekly.example",
    ),
    (
        "[cloud-users] Re: Best practices for database backups",
        "> How often do you snapshot your Postgres volumes?\n\nWe do it hourly and keep "
        "7 days. Works well for us.\n\n--\nunsubscribe: cloud-users-leave@lists.example.net",
        "cloud-users.lists.example.net",
    ),
    (
        "Acme partner newsletter - December",
        "New regions, new GPU instances and our holiday support hours.\n"
        "unsubscribe at any time: https://news.partner.example/u",
        "partners.news.partner.example",
    ),
]

# --------------------------------------------------------------------------- helpers


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _slug(text: str) -> str:
    """An ASCII e-mail local part from a name: "Müller" -> "muller", "Weiß" -> "weiss"."""
    folded = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    return "".join(c for c in folded if c.isascii() and (c.isalnum() or c in ".-"))


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def _local(dt_utc: datetime, tz: str) -> datetime:
    return dt_utc.astimezone(timezone(timedelta(hours=TZ_OFFSETS[tz])))


START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
END = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


def _created_at(rng: random.Random, tz: str) -> datetime:
    """A creation instant: mostly the sender's working hours, some nights and weekends,
    and a cluster on the 24 December holiday."""
    roll = rng.random()
    if roll < 0.04:
        day = datetime(2026, 12, 24, tzinfo=UTC)
    else:
        day = START + timedelta(days=rng.randrange((END - START).days + 1))
        if day.weekday() >= 5 and rng.random() < 0.6:  # weekends are quieter
            day = START + timedelta(days=rng.randrange((END - START).days + 1))
    offset = TZ_OFFSETS[tz]
    if rng.random() < 0.72:
        local_hour = rng.choice([8, 9, 9, 10, 10, 11, 11, 13, 14, 14, 15, 16, 17])
    else:
        local_hour = rng.randrange(24)
    minute = rng.randrange(60)
    second = rng.randrange(60)
    base = datetime(day.year, day.month, day.day, tzinfo=UTC)
    utc = base + timedelta(hours=local_hour - offset, minutes=minute, seconds=second)
    return max(START, min(utc, END))


def _person(rng: random.Random, lang: str) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES[lang]), rng.choice(LAST_NAMES[lang])


class Generator:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not crypto
        self.next_id = 100001

    # -- requesters ----------------------------------------------------------------

    def customer(self, lang: str | None = None) -> dict[str, object]:
        """A requester with fields: a company employee or an individual on free mail."""
        rng = self.rng
        companies = [c for c in COMPANIES if lang is None or c[2] == lang]
        if companies and rng.random() < 0.7:
            domain, org, clang, tz, plan, (lo, hi) = rng.choice(companies)
            mrr = float(rng.randrange(lo, hi + 1, 50)) if hi else 0.0
        else:
            clang = lang or _weighted(rng, LANG_WEIGHTS)
            domain = rng.choice(FREE_MAIL[clang])
            org = None
            tz = rng.choice(DEFAULT_TZ[clang])
            plan = rng.choices(["free", "pro"], weights=[4, 1])[0]
            mrr = float(rng.choice([29, 49, 99, 149])) if plan == "pro" else 0.0
        first, last = _person(rng, clang)
        if domain in {
            "gmail.com",
            "yahoo.com",
            "outlook.com",
            "hotmail.com",
            "gmx.de",
            "web.de",
            "laposte.net",
            "yahoo.co.jp",
        }:
            local = rng.choice(
                [f"{first}.{last}", f"{first}{last}{rng.randrange(10, 99)}", f"{first[0]}{last}"]
            )
        else:
            local = rng.choice([f"{first}.{last}", f"{first[0]}.{last}", f"{first}"])
        return {
            "requester": {
                "email": f"{_slug(local)}@{domain}",
                "name": f"{first} {last}",
                "language": clang,
                "timezone": tz,
                "organization": org,
            },
            "plan": plan,
            "mrr": mrr,
        }

    # -- tickets -------------------------------------------------------------------

    def values(self, lang: str, product: str) -> dict[str, object]:
        """Placeholder values for one ticket (shared by its subject and body)."""
        rng = self.rng
        whole, cents = rng.randrange(29, 4800), rng.randrange(100)
        sep = "," if lang in {"de", "fr", "es", "pt"} else "."
        return {
            "thing": rng.choice(THING[product]),
            "product": product,
            "region": rng.choice(REGIONS),
            "error": rng.choice(ERRORS),
            "amount": f"{whole}{sep}{cents:02d}",
            "order": f"AC-{rng.randrange(200000, 999999)}",
            "n": rng.randrange(1000, 99999),
            "n_small": rng.randrange(1, 40),
            "month": rng.choice(MONTHS[lang]),
            "seats": rng.choice([15, 25, 40, 80, 150, 500]),
        }

    def base(self, created: datetime, channel: str) -> dict[str, object]:
        tid = f"T-{self.next_id}"
        self.next_id += 1
        return {
            "id": tid,
            "channel": channel,
            "status": "new",
            "priority": "normal",
            "created_at": _iso(created),
        }

    def email_headers(self, email: str, created: datetime) -> dict[str, str]:
        domain = email.rsplit("@", 1)[1]
        return {
            "Message-ID": f"<{self.rng.getrandbits(64):016x}.{int(created.timestamp())}@{domain}>",
            "From": email,
            "Date": created.strftime("%a, %d %b %Y %H:%M:%S %z"),
        }

    def customer_ticket(self, category: str) -> dict[str, object]:
        rng = self.rng
        langs = T[category]
        lang = _weighted(rng, {k: v for k, v in LANG_WEIGHTS.items() if k in langs})
        who = self.customer(lang)
        req = who["requester"]
        assert isinstance(req, dict)
        tz = str(req["timezone"])
        product = rng.choice(PRODUCTS)
        subject_t, body_t = rng.choice(langs[lang])
        values = self.values(lang, product)
        subject = subject_t.format(**values)
        core = body_t.format(**values)
        greeting = rng.choice(GREETING[lang])
        signoff = rng.choice(SIGNOFF[lang])
        if lang == "ja":
            org = f"{req['organization']}の" if req["organization"] else ""
            body = f"{greeting}\n{org}{req['name']}です。\n\n{core}\n\n{signoff}"
        else:
            body = f"{greeting}\n\n{core[0].upper() + core[1:]}\n\n{signoff}\n{req['name']}"
            if req["organization"]:
                body += f"\n{req['organization']}"
        if category == "feedback" and rng.random() < 0.3:
            body = core  # a one-liner
        channel = rng.choices(
            ["email", "web", "chat", "phone", "social", "api"], weights=[58, 16, 12, 5, 4, 5]
        )[0]
        if category in {"security", "abuse"}:
            channel = rng.choice(["email", "email", "web"])
        created = _created_at(rng, tz)
        t = self.base(created, channel)
        if rng.random() < 0.5:  # help desks record times in UTC or in the sender's offset
            t["created_at"] = _iso(_local(created, tz))
        t["subject"] = subject
        t["body"] = body
        t["requester"] = req
        tags: list[str] = []
        headers: dict[str, str] = {}
        if channel == "email":
            headers = self.email_headers(str(req["email"]), _local(created, tz))
            if rng.random() < 0.08:
                t["subject"] = rng.choice(["Fwd: ", "WG: ", "TR: ", "RE: "]) + subject
        elif channel == "web":
            tags.append(rng.choice(["signed-in", "signed-in", "web-form"]))
        elif channel == "api":
            tags.append("api-client")
        elif channel == "chat":
            tags.append("chat-widget")
            if rng.random() < 0.4:
                tags.append("mobile-app")
        elif channel == "phone":
            t["body"] = f"Callback requested by {req['name']}. Notes from the switchboard: {core}"
        if category in {"outage"} and rng.random() < 0.35:
            t["priority"] = "high"
        if category in {"feedback", "howto"} and rng.random() < 0.3:
            t["priority"] = "low"
        if category in {"bug", "outage"} and rng.random() < 0.1:
            tags.append("escalated")
        t["tags"] = sorted(set(tags))
        t["headers"] = headers
        t["attachments"] = self.attachments(category)
        order = ""
        if category in {"billing", "refund", "chargeback"} and "{order}" in subject_t + body_t:
            order = str(values["order"])
        plan = who["plan"]
        t["fields"] = {
            "plan": plan,
            "mrr": who["mrr"],
            "order_id": order,
            "product": product if rng.random() < 0.8 else "other",
        }
        if rng.random() < 0.12:
            t["status"] = "open"
            t["updated_at"] = _iso(created + timedelta(hours=rng.randrange(1, 30)))
        return t

    def attachments(self, category: str) -> list[dict[str, object]]:
        rng = self.rng
        if rng.random() > {
            "bug": 0.6,
            "security": 0.5,
            "abuse": 0.6,
            "billing": 0.25,
            "outage": 0.2,
        }.get(category, 0.05):
            return []
        choices = {
            "bug": [
                ("screenshot.png", "image/png"),
                ("console.log", "text/plain"),
                ("terraform-crash.log", "text/plain"),
                ("screen-recording.mp4", "video/mp4"),
            ],
            "security": [("poc.html", "text/html"), ("report.pdf", "application/pdf")],
            "abuse": [
                ("traffic.pcap", "application/vnd.tcpdump.pcap"),
                ("access.log", "text/plain"),
            ],
            "billing": [
                ("invoice.pdf", "application/pdf"),
                ("bank-statement.pdf", "application/pdf"),
            ],
        }.get(category, [("image001.png", "image/png")])
        n = rng.choice([1, 1, 1, 2])
        return [
            {"filename": name, "content_type": ctype, "size": rng.randrange(2_000, 4_000_000)}
            for name, ctype in rng.sample(choices, min(n, len(choices)))
        ]

    def spam_ticket(self) -> dict[str, object]:
        rng = self.rng
        subject, body = rng.choice(SPAM)
        lang = "es" if "dinero" in body else "de" if "verdienen" in body else "en"
        domain = rng.choice(SPAM_DOMAINS)
        local = rng.choice(
            [
                "promo",
                "info",
                "winner",
                "seo.expert",
                "marketing",
                f"user{rng.randrange(1000, 9999)}",
            ]
        )
        email = f"{local}@{domain}"
        created = _created_at(rng, "Europe/London")
        channel = rng.choices(["email", "web"], weights=[9, 1])[0]
        t = self.base(created, channel)
        t["subject"] = subject
        t["body"] = body
        t["requester"] = {
            "email": email,
            "name": rng.choice(["Support Team", "Mike", "Anna", "SEO Expert", ""]),
            "language": lang,
            "timezone": "Europe/London",
            "organization": None,
        }
        t["tags"] = ["web-form"] if channel == "web" else []
        t["headers"] = self.email_headers(email, created) if channel == "email" else {}
        if channel == "email" and rng.random() < 0.3:
            t["headers"]["Precedence"] = "bulk"
        t["attachments"] = []
        t["fields"] = {"plan": "free", "mrr": 0.0, "order_id": "", "product": "other"}
        return t

    def auto_reply_ticket(self) -> dict[str, object]:
        rng = self.rng
        lang = rng.choice(list(AUTOREPLY))
        who = self.customer(lang)
        req = who["requester"]
        assert isinstance(req, dict)
        subject_t, body_t = AUTOREPLY[lang]
        created = _created_at(rng, str(req["timezone"]))
        t = self.base(created, "email")
        domain = str(req["email"]).rsplit("@", 1)[1]
        t["subject"] = subject_t.format(
            subject=rng.choice(
                [
                    "Your ticket T-" + str(rng.randrange(90000, 100000)),
                    "Acme Cloud maintenance notice",
                    "Your invoice is ready",
                ]
            )
        )
        t["body"] = body_t.format(date=f"{rng.randrange(2, 28)}.01.2027", domain=domain)
        t["requester"] = req
        t["tags"] = []
        headers = self.email_headers(str(req["email"]), created)
        style = rng.random()
        if style < 0.6:
            headers["Auto-Submitted"] = rng.choice(
                ["auto-replied", "auto-replied", "Auto-Generated"]
            )
        elif style < 0.8:
            headers["Precedence"] = rng.choice(["auto_reply", "bulk", "Junk"])
        elif style < 0.9:
            headers["X-Auto-Response-Suppress"] = "All"
            headers["X-Loop"] = f"support@{domain}"
        else:
            pass  # an old mail system that marks nothing: only the subject tells
        t["headers"] = headers
        t["attachments"] = []
        t["fields"] = {"plan": who["plan"], "mrr": who["mrr"], "order_id": "", "product": "other"}
        return t

    def list_ticket(self) -> dict[str, object]:
        rng = self.rng
        subject, body, list_id = rng.choice(LISTS)
        created = _created_at(rng, "Europe/London")
        t = self.base(created, "email")
        sender = f"{list_id.split('.', 1)[0]}-bounces@{list_id.split('.', 1)[1]}"
        t["subject"] = subject.format(n=rng.randrange(100, 400))
        t["body"] = body
        t["requester"] = {
            "email": sender,
            "name": list_id.split(".", 1)[0],
            "language": "en",
            "timezone": "Europe/London",
            "organization": None,
        }
        t["tags"] = []
        headers = self.email_headers(sender, created)
        headers["List-Id"] = f"<{list_id}>"
        headers["List-Unsubscribe"] = f"<mailto:leave@{list_id.split('.', 1)[1]}>"
        headers["Precedence"] = "list"
        t["headers"] = headers
        t["attachments"] = []
        t["fields"] = {"plan": "free", "mrr": 0.0, "order_id": "", "product": "other"}
        return t

    def bounce_ticket(self) -> dict[str, object]:
        rng = self.rng
        domain = rng.choice([c[0] for c in COMPANIES] + ["gmail.com", "outlook.com"])
        who = rng.choice(["mailer-daemon", "MAILER-DAEMON", "postmaster"])
        sender = f"{who}@{domain}"
        created = _created_at(rng, "Europe/London")
        t = self.base(created, "email")
        t["subject"] = rng.choice(
            [
                "Undelivered Mail Returned to Sender",
                "Delivery Status Notification (Failure)",
                "Mail delivery failed: returning message to sender",
            ]
        )
        t["body"] = (
            "This is the mail system at host mx1." + domain + ".\n\n"
            "I'm sorry to have to inform you that your message could not be "
            "delivered to one or more recipients.\n\n"
            f"<{rng.choice(['j.doe', 'old.account', 'billing'])}@{domain}>: "
            "host said: 550 5.1.1 User unknown"
        )
        t["requester"] = {
            "email": sender,
            "name": "Mail Delivery System",
            "language": "en",
            "timezone": "Europe/London",
            "organization": None,
        }
        t["tags"] = []
        headers = self.email_headers(sender, created)
        headers["Auto-Submitted"] = "auto-replied"
        headers["Return-Path"] = "<>"
        t["headers"] = headers
        t["attachments"] = [
            {
                "filename": "details.txt",
                "content_type": "message/delivery-status",
                "size": rng.randrange(300, 900),
            }
        ]
        t["fields"] = {"plan": "free", "mrr": 0.0, "order_id": "", "product": "other"}
        return t

    def internal_ticket(self) -> dict[str, object]:
        rng = self.rng
        created = _created_at(rng, "Europe/Berlin")
        t = self.base(created, "api")
        t["subject"] = rng.choice(["[TEST] routing smoke test", "Test ticket, please ignore"])
        t["body"] = "Synthetic ticket created by the monitoring job to check the pipeline."
        t["requester"] = {
            "email": "monitoring@acme.example",
            "name": "Acme Monitoring",
            "language": "en",
            "timezone": "Europe/Berlin",
            "organization": "Acme Cloud",
        }
        t["tags"] = ["api-client", "synthetic"]
        t["headers"] = {}
        t["attachments"] = []
        t["fields"] = {"plan": "enterprise", "mrr": 0.0, "order_id": "", "product": "other"}
        return t

    # -- the whole file ------------------------------------------------------------

    KINDS: ClassVar[dict[str, int]] = {
        "billing": 120,
        "refund": 80,
        "chargeback": 20,
        "outage": 90,
        "bug": 150,
        "howto": 170,
        "sales": 90,
        "cancel": 30,
        "security": 40,
        "abuse": 20,
        "feedback": 60,
        "spam": 120,
        "autoreply": 60,
        "list": 30,
        "bounce": 30,
        "internal": 10,
    }

    def ticket(self) -> dict[str, object]:
        kind = _weighted(self.rng, self.KINDS)
        if kind == "spam":
            return self.spam_ticket()
        if kind == "autoreply":
            return self.auto_reply_ticket()
        if kind == "list":
            return self.list_ticket()
        if kind == "bounce":
            return self.bounce_ticket()
        if kind == "internal":
            return self.internal_ticket()
        return self.customer_ticket(kind)

    def line(self) -> dict[str, object]:
        t = self.ticket()
        t = {k: t[k] for k in ORDER if k in t}
        if self.rng.random() < ENVELOPE_SHARE:
            created = datetime.fromisoformat(str(t["created_at"]))
            if self.rng.random() < 0.85:
                delay = timedelta(seconds=self.rng.randrange(5, 600))
            else:  # replayed from a backlog, days later
                delay = timedelta(days=self.rng.randrange(2, 10), hours=self.rng.randrange(24))
            return {"ticket": t, "now": _iso(created + delay)}
        return t


ORDER = [
    "id",
    "subject",
    "body",
    "channel",
    "status",
    "priority",
    "requester",
    "tags",
    "headers",
    "attachments",
    "created_at",
    "updated_at",
    "fields",
]


def generate(count: int = COUNT, seed: int = SEED) -> list[str]:
    """The JSON lines of `count` tickets, deterministic for a given seed."""
    gen = Generator(seed)
    return [json.dumps(gen.line(), ensure_ascii=False) for _ in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file (JSONL)")
    parser.add_argument("--count", type=int, default=COUNT, help="number of tickets")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    args = parser.parse_args(argv)
    lines = generate(args.count, args.seed)
    with args.out.open("w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
