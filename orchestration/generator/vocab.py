"""Fixed vocabularies of the sample: names, places, products, comments, campaigns."""

from __future__ import annotations

from ..constants import listed

# The listed values (channels, priorities, device types) come from their one home,
# seeds/vocabulary.csv, in seed order; the weights below are the generator's own and pair
# with them position by position (checked at the end of this module).

# (country, share, phone country code, currency, language)
COUNTRIES: tuple[tuple[str, float, str, str, str], ...] = (
    ("IT", 0.72, "39", "EUR", "it"),
    ("DE", 0.07, "49", "EUR", "de"),
    ("FR", 0.06, "33", "EUR", "fr"),
    ("ES", 0.05, "34", "EUR", "es"),
    ("GB", 0.05, "44", "GBP", "en"),
    ("CH", 0.03, "41", "CHF", "de"),
    ("US", 0.02, "1", "USD", "en"),
)

CITIES: dict[str, tuple[str, ...]] = {
    "IT": (
        "Milano", "Roma", "Torino", "Napoli", "Bologna", "Firenze", "Genova", "Palermo",
        "Bari", "Verona", "Padova", "Brescia", "Forlì", "Cantù", "Bergamo", "Trieste",
    ),
    "DE": ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main"),
    "FR": ("Paris", "Lyon", "Marseille", "Nice", "Toulouse"),
    "ES": ("Madrid", "Barcelona", "València", "Sevilla"),
    "GB": ("London", "Manchester", "Edinburgh", "Bristol"),
    "CH": ("Zürich", "Genève", "Lugano", "Basel"),
    "US": ("New York", "Boston", "Chicago", "San Francisco"),
}  # fmt: skip

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "it": (
        "Giulia", "Francesca", "Chiara", "Sara", "Martina", "Alessia", "Valentina", "Elena",
        "Federica", "Ilaria", "Marco", "Luca", "Andrea", "Matteo", "Alessandro", "Davide",
        "Lorenzo", "Simone", "Francesco", "Nicolò", "Giuseppe", "Paolo", "Anna", "Laura",
    ),
    "de": ("Lena", "Hannah", "Jonas", "Lukas", "Jürgen", "Anna", "Felix", "Sophie"),
    "fr": ("Camille", "Léa", "Chloé", "Louis", "Hugo", "Jules", "Manon", "Théo"),
    "es": ("Lucía", "María", "Pablo", "Javier", "Carmen", "José", "Sofía", "Diego"),
    "en": ("Emma", "Olivia", "Jack", "Harry", "Amelia", "George", "Sophie", "James"),
}  # fmt: skip

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "it": (
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
        "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
        "Giordano", "Rizzo", "Lombardi", "Moretti", "D'Amico", "Dell'Orto", "Fabbri", "Villa",
    ),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"),
    "fr": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"),
    "es": ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez"),
    "en": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies"),
}  # fmt: skip

PERSONAL_DOMAINS = (
    "gmail.com", "libero.it", "hotmail.it", "yahoo.it", "outlook.com", "icloud.com",
    "tiscali.it", "virgilio.it", "alice.it", "gmx.de", "orange.fr", "hotmail.co.uk",
)  # fmt: skip
WORK_DOMAINS = ("studio-rossi.it", "azienda.example.it", "consulting.example.com", "pec.it")
MARKETPLACE_DOMAIN = "marketplace.example.com"

# Over-merge traps: identifiers that several different people share.
PLACEHOLDER_EMAILS = ("noreply@example.com", "test@test.com", "nomail@nomail.it")
PLACEHOLDER_PHONES = ("0000000000", "1234567890")
STORE_EMAILS = ("negozio.milano@modaitalia.example", "negozio.roma@modaitalia.example")

SIGNUP_CHANNELS = listed("signup_channel")
SIGNUP_WEIGHTS = (0.38, 0.22, 0.22, 0.05, 0.09, 0.04)
ORDER_CHANNELS = listed("order_channel")
ORDER_CHANNEL_WEIGHTS = (0.40, 0.25, 0.20, 0.03, 0.12)

TICKET_CHANNELS = listed("ticket_channel")
TICKET_CHANNEL_WEIGHTS = (0.30, 0.22, 0.20, 0.05, 0.06, 0.12, 0.05)
TICKET_CATEGORIES = ("delivery", "returns", "payment", "product", "account", "technical")
TICKET_CATEGORY_WEIGHTS = (0.30, 0.22, 0.14, 0.16, 0.10, 0.08)
PRIORITIES = listed("ticket_priority")
PRIORITY_WEIGHTS = (0.20, 0.55, 0.20, 0.05)

SURVEY_CHANNELS = listed("survey_channel")
SURVEY_CHANNEL_WEIGHTS = (0.5, 0.1, 0.15, 0.1, 0.1, 0.05)

DEVICE_TYPES = listed("device_type")
DEVICE_WEIGHTS = (0.38, 0.52, 0.10)

SITE = "https://www.modaitalia.example"
CATEGORY_PAGES = (
    "/it/donna/scarpe", "/it/donna/abiti", "/it/uomo/giacche", "/it/uomo/scarpe",
    "/it/casa/tessili", "/it/bambini", "/it/saldi", "/en/women/bags",
)  # fmt: skip
HELP_PAGES = ("/aiuto/resi", "/aiuto/spedizioni", "/aiuto/pagamenti", "/aiuto/taglie")
SEARCH_QUERIES = (
    "scarpe running", "giacca pelle", "borsa nera", "sneakers bianche", "abito lungo",
    "cappotto lana", "jeans slim", "winter boots", "linen shirt", "zaino",
)  # fmt: skip
REFERRERS = ("https://www.google.com/", "https://www.instagram.com/", "https://www.facebook.com/")
# (utm_source, utm_medium, utm_campaign)
CAMPAIGNS = (
    ("google", "cpc", "brand_search"),
    ("google", "cpc", "generic_scarpe"),
    ("facebook", "paid_social", "autunno_2026"),
    ("instagram", "social", "influencer_spring"),
    ("newsletter", "email", "promo_settimanale"),
    ("criteo", "display", "retargeting"),
)

COMMENTS: dict[str, tuple[str, ...]] = {
    "it": (
        "Consegna veloce, tutto perfetto.",
        "Prodotto conforme alla descrizione, grazie!",
        "Il corriere è arrivato in ritardo di due giorni.",
        "Assistenza gentile ma ho dovuto richiamare tre volte.",
        "Taglia troppo piccola, reso semplice però.",
        'L\'app si blocca al "checkout", da sistemare.',
        "Ottimo rapporto qualità/prezzo, tornerò a comprare.",
        "Pacco danneggiato, rimborso lento.",
    ),
    "en": (
        "Fast delivery, great quality.",
        "Support solved my issue in one call, thanks!",
        "The website kept logging me out during checkout.",
        "Item arrived damaged, refund took two weeks.",
        'Sizes run small, "M" fits like an "S".',
        "Easy return process.",
    ),
}
MULTILINE_COMMENTS = (
    "Ordine arrivato in tempo.\nPerò la scatola era rovinata.",
    "Great shop.\nWould be nice to have more sizes,\nespecially for shoes.",
    "Prima volta che compro qui:\n- consegna ok\n- prezzo ok",
)


for _values, _weights in (
    (SIGNUP_CHANNELS, SIGNUP_WEIGHTS),
    (ORDER_CHANNELS, ORDER_CHANNEL_WEIGHTS),
    (SURVEY_CHANNELS, SURVEY_CHANNEL_WEIGHTS),
    (TICKET_CHANNELS, TICKET_CHANNEL_WEIGHTS),
    (PRIORITIES, PRIORITY_WEIGHTS),
    (DEVICE_TYPES, DEVICE_WEIGHTS),
):
    if len(_values) != len(_weights):
        raise ValueError(
            f"seeds/vocabulary.csv lists {len(_values)} values {_values} but the generator "
            f"has {len(_weights)} weights for them (orchestration/generator/vocab.py): "
            "give each listed value a weight"
        )
