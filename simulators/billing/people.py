"""Synthetic people for the administration seed: Dutch and English names, phones, addresses.

Every email is `first.last<n>@example.<nl|com>` with a number no other person has. Two such
emails can never be substrings of each other: the `@` aligns them, and the digits before it
are preceded by a letter, so one would have to carry the other's number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    language: str
    tld: str
    country: str
    company_suffix: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


DUTCH = Locale(
    "nl", "nl", "NL", "B.V.",
    _names("Jan, Daan, Sem, Bram, Thijs, Ruben, Sanne, Femke, Lotte, Anouk, Fleur, Noor, Lieke"),
    _names("de Vries, Jansen, van den Berg, Bakker, Visser, Smit, Meijer, de Boer, Mulder, Bos"),
    _names("Kerkstraat, Dorpsstraat, Molenweg, Stationsplein, Lindelaan"),
    _names("Amsterdam, Utrecht, Rotterdam, Groningen, Zwolle, Eindhoven"),
)  # fmt: skip
ENGLISH = Locale(
    "en", "com", "GB", "Ltd",
    _names("Oliver, George, Harry, Jack, Amelia, Olivia, Isla, Emily, Sophie, James, Grace"),
    _names("Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright"),
    _names("High Street, Station Road, Church Lane, Mill Road, Park Avenue"),
    _names("London, Manchester, Bristol, Leeds, York, Brighton"),
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    email: str
    phone: str
    locale: Locale

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def initials(self) -> str:
        """Two letters for registry handles, as RIPE's `JD1-RIPE` style has them."""
        return (self.first[0] + self.last.split()[-1][0]).upper()


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str
    country: str

    def __str__(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}, {self.country}"


class People:
    """Draws people from one random generator; each new person gets the next email number."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0

    def person(self, locale: Locale) -> Person:
        self.count += 1
        first, last = self.rng.choice(locale.first_names), self.rng.choice(locale.last_names)
        local = f"{first}.{last.replace(' ', '')}".lower()
        email = f"{local}{self.count}@example.{locale.tld}"
        return Person(first, last, email, self.phone(locale), locale)

    def phone(self, locale: Locale) -> str:
        if locale.language == "nl":
            return f"+31 6 {self.rng.randint(10000000, 99999999)}"
        # Ofcom's range reserved for drama: never a real subscriber.
        return f"+44 7700 900{self.rng.randint(100, 999)}"

    def address(self, locale: Locale) -> Address:
        rng = self.rng
        street = f"{rng.choice(locale.streets)} {rng.randint(1, 180)}"
        if locale.language == "nl":
            postcode = (
                f"{rng.randint(1000, 9999)} {rng.choice('BDGHKLMNPRSTVWXZ')}{rng.choice('AEJ')}"
            )
        else:
            postcode = f"AB{rng.randint(1, 99)} {rng.randint(1, 9)}CD"
        return Address(street, postcode, rng.choice(locale.cities), locale.country)
