"""People and their CRM records: who exists, and which identifiers belong to whom."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from . import vocab
from .formats import email_spelling, normalise_email, normalise_phone, phone_spelling, scramble
from .randomness import Dice, cumulative
from .timeline import DAY, Timeline

COUNTRY_CODES = tuple(c[0] for c in vocab.COUNTRIES)
COUNTRY_CUM = cumulative([c[1] for c in vocab.COUNTRIES])
COUNTRY_INFO = {c[0]: c for c in vocab.COUNTRIES}
SIGNUP_CUM = cumulative(vocab.SIGNUP_WEIGHTS)
NAME_LANGUAGE = {"IT": "it", "DE": "de", "CH": "de", "FR": "fr", "ES": "es", "GB": "en", "US": "en"}
# national numbers: prefix + digits derived from the person index (unique per person), in
# ranges libphonenumber holds valid for every such suffix (mobile ranges; in the US, an
# area code and an exchange starting with 2), so the warehouse links every real number
NATIONAL_PREFIX = {"39": "34", "49": "151", "33": "66", "34": "6", "44": "75", "41": "79"}
NATIONAL_LENGTH = {"39": 10, "49": 11, "33": 9, "34": 9, "44": 10, "41": 9}
US_AREA_CODES = ("650", "212", "415", "310", "617", "312", "206", "303", "404", "512")

# Traits forced on a few people of the first chunk, so every identity challenge shows up
# even in a tiny sample: (trait, how many people).
FORCED_TRAITS = (
    ("store_email_0", 7),
    ("store_email_1", 6),
    ("placeholder_email_0", 2),
    ("placeholder_email_1", 2),
    ("placeholder_email_2", 2),
    ("placeholder_phone_0", 2),
    ("placeholder_phone_1", 2),
    ("records_via_email", 4),
    ("records_via_phone", 4),
)


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


@dataclass
class CrmRecord:
    customer_id: str
    email: str  # as spelled in version 1
    phone: str
    created_at: int
    signup_channel: str
    city: str


@dataclass
class Person:
    index: int  # global person number; person_id = P + 7 digits
    country: str
    language: str
    first_name: str
    last_name: str
    created_at: int
    signup_channel: str
    records: list[CrmRecord] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)  # unique emails used in CRM, normalised
    phones: list[str] = field(default_factory=list)  # unique phones used in CRM, E.164
    shared: set[tuple[str, str]] = field(default_factory=set)  # placeholders this person uses

    @property
    def person_id(self) -> str:
        return f"P{self.index:07d}"

    @property
    def currency(self) -> str:
        return COUNTRY_INFO[self.country][3]


def customer_id(person_index: int, record: int) -> str:
    return f"C{scramble(person_index * 4 + record, 10**8, salt=1):08d}"


def make_customer(index: int, dice: Dice, timeline: Timeline, trait: str | None) -> Person:
    country = dice.weighted(COUNTRY_CODES, COUNTRY_CUM)
    language = NAME_LANGUAGE[country]
    if dice.chance(0.6):
        created = int(dice.between(timeline.start - 3 * 365 * DAY, timeline.start))
    else:
        created = int(dice.between(timeline.start, timeline.end - DAY))
    signup = dice.weighted(vocab.SIGNUP_CHANNELS, SIGNUP_CUM)
    if trait and trait.startswith("store_email"):
        signup = "store"
    person = Person(
        index=index,
        country=country,
        language=language,
        first_name=dice.pick(vocab.FIRST_NAMES[language]),
        last_name=dice.pick(vocab.LAST_NAMES[language]),
        created_at=created,
        signup_channel=signup,
    )
    _add_records(person, dice, timeline, trait)
    return person


def _primary_email(person: Person, dice: Dice) -> str:
    number = scramble(person.index, 10**7, salt=2)
    if person.signup_channel == "marketplace" and dice.chance(0.5):
        return f"m{number:07d}@{vocab.MARKETPLACE_DOMAIN}"
    local = f"{ascii_slug(person.first_name)}.{ascii_slug(person.last_name)}{number}"
    return f"{local}@{dice.pick(vocab.PERSONAL_DOMAINS)}"


def _secondary_email(person: Person, dice: Dice) -> str:
    number = scramble(person.index, 10**7, salt=3)
    local = f"{ascii_slug(person.first_name)[:1]}{ascii_slug(person.last_name)}.{number}"
    return f"{local}@{dice.pick(vocab.WORK_DOMAINS)}"


def _national_number(person: Person) -> tuple[str, str]:
    code = COUNTRY_INFO[person.country][2]
    if code == "1":
        area, line = divmod(scramble(person.index, 10**7, salt=4), 10**6)
        return code, f"{US_AREA_CODES[area]}2{line:06d}"
    prefix = NATIONAL_PREFIX[code]
    digits = NATIONAL_LENGTH[code] - len(prefix)
    return code, prefix + f"{scramble(person.index, 10**digits, salt=4):0{digits}d}"


def _record_count(dice: Dice, trait: str | None) -> int:
    if trait in ("records_via_email", "records_via_phone"):
        return 2 + dice.below(2)
    roll = dice.u()
    return 1 if roll < 0.94 else 2 if roll < 0.985 else 3


def _add_records(person: Person, dice: Dice, timeline: Timeline, trait: str | None) -> None:
    in_store = person.signup_channel in ("store", "phone")
    has_email = trait == "records_via_email" or dice.chance(0.86 if in_store else 0.96)
    has_phone = trait == "records_via_phone" or dice.chance(0.8 if in_store else 0.6)
    email = _primary_email(person, dice) if has_email else ""
    code, national = _national_number(person)
    email_override, phone_override = _overrides(person, dice, trait)
    if trait == "records_via_email":
        email_override = phone_override = None
    if trait == "records_via_phone":
        email_override = phone_override = None
        has_email = False
        email = ""

    count = _record_count(dice, trait)
    via_email = has_email and email_override is None
    via_phone = has_phone and phone_override is None
    if trait == "records_via_phone":
        via_email = False
    if not (via_email or via_phone):
        count = 1
    for r in range(count):
        if r == 0:
            spelled_email = email_override or (
                email_spelling(email, dice.below(6)) if email else ""
            )
            spelled_phone = phone_override or (
                phone_spelling(code, national, dice.below(6)) if has_phone else ""
            )
            created, signup, city = person.created_at, person.signup_channel, _city(person, dice)
        else:
            spelled_email, spelled_phone = _linked_identifiers(
                person, dice, via_email, email, code, national
            )
            created = min(person.created_at + int(dice.between(DAY, 400 * DAY)), timeline.end - DAY)
            signup = dice.weighted(vocab.SIGNUP_CHANNELS, SIGNUP_CUM)
            city = person.records[0].city
        person.records.append(
            CrmRecord(
                customer_id(person.index, r), spelled_email, spelled_phone, created, signup, city
            )
        )
    _collect_identifiers(person)


def _city(person: Person, dice: Dice) -> str:
    return dice.pick(vocab.CITIES[person.country])


def _overrides(person: Person, dice: Dice, trait: str | None) -> tuple[str | None, str | None]:
    """Placeholder / shared values typed into the first CRM record instead of the real one."""
    email: str | None = None
    phone: str | None = None
    if trait and trait.startswith("store_email_"):
        email = vocab.STORE_EMAILS[int(trait[-1])]
    elif trait and trait.startswith("placeholder_email_"):
        email = vocab.PLACEHOLDER_EMAILS[int(trait[-1])]
    elif trait and trait.startswith("placeholder_phone_"):
        phone = vocab.PLACEHOLDER_PHONES[int(trait[-1])]
    elif trait is None:
        if person.signup_channel == "store" and dice.chance(0.06):
            email = vocab.STORE_EMAILS[0 if dice.chance(0.6) else 1]
        elif dice.chance(0.01):
            email = dice.pick(vocab.PLACEHOLDER_EMAILS)
        if dice.chance(0.006):
            phone = dice.pick(vocab.PLACEHOLDER_PHONES)
    return email, phone


def _linked_identifiers(
    person: Person, dice: Dice, via_email: bool, email: str, code: str, national: str
) -> tuple[str, str]:
    """Email and phone of a further CRM record: shares at least one unique identifier."""
    if via_email:
        phone = phone_spelling(code, national, dice.below(6)) if dice.chance(0.4) else ""
        if phone and person.records[0].phone == "":
            phone = ""  # the person never gave a phone
        return email_spelling(email, dice.below(6)), phone
    secondary = _secondary_email(person, dice) if dice.chance(0.6) else ""
    return secondary, phone_spelling(code, national, dice.below(6))


def _collect_identifiers(person: Person) -> None:
    shared_emails = set(vocab.PLACEHOLDER_EMAILS) | set(vocab.STORE_EMAILS)
    shared_phones = {normalise_phone(p) for p in vocab.PLACEHOLDER_PHONES}
    for record in person.records:
        if record.email:
            value = normalise_email(record.email)
            if value in shared_emails:
                person.shared.add(("email", value))
            elif value not in person.emails:
                person.emails.append(value)
        if record.phone:
            value = normalise_phone(record.phone)
            if value in shared_phones:
                person.shared.add(("phone", value))
            elif value not in person.phones:
                person.phones.append(value)
