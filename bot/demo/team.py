"""The demo team: an admin, two regional managers, eight reps, and each rep's territory of customers."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.demo import names
from bot.models.people import Role

TIMEZONE = "Asia/Shanghai"
# Two regions, four reps each; a rep covers districts of one city.
REGIONS: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    (
        "上海区",
        (
            ("上海", ("黄浦区", "静安区", "长宁区")),
            ("上海", ("徐汇区", "闵行区")),
            ("上海", ("浦东新区",)),
            ("上海", ("普陀区", "虹口区", "杨浦区", "宝山区")),
        ),
    ),
    ("江浙区", (("杭州", ()), ("南京", ()), ("苏州", ()), ("宁波", ()))),  # () = every district of the city
)
# One manager and one rep speak English, so both languages are exercised.
ENGLISH_SPEAKERS = frozenset({"M002", "R003"})
# Territory sizes (60-90 accounts each, 600 in all); the seed decides which rep gets which.
TERRITORY_SIZES = (62, 68, 72, 75, 76, 80, 83, 84)


@dataclass(frozen=True)
class DemoPerson:
    """One member of the sales team, before it has a database id."""

    external_id: str
    name: str
    role: str
    manager_external_id: str | None
    language: str
    region: str | None = None


@dataclass(frozen=True)
class DemoCustomer:
    """One account, before it has a database id; landmark marks a well-known hospital."""

    external_id: str
    name: str
    kind: str
    city: str
    district: str
    rep_external_id: str
    potential_value: float | None
    potential_class: str | None
    landmark: bool = False


@dataclass(frozen=True)
class DemoTeam:
    """The people and the customers of the demo, in insertion order."""

    people: list[DemoPerson]
    customers: list[DemoCustomer]


def build_demo_team(seed: int) -> DemoTeam:
    """Draw the team and its territories for this seed."""
    rng = random.Random(f"tierbot-demo:{seed}:team")
    people = _people(rng)
    sizes = list(TERRITORY_SIZES)
    rng.shuffle(sizes)
    taken: set[str] = set()  # membership only: iterating a set of str is not deterministic
    customers: list[DemoCustomer] = []
    reps = [p for p in people if p.role == Role.REP]
    territories = [territory for _, region in REGIONS for territory in region]
    for rep, (city, districts), size in zip(reps, territories, sizes, strict=True):
        districts = districts or tuple(names.streets()[city])
        customers += _territory(rng, rep.external_id, city, districts, size, taken)
    # CRM ids follow no territory order, as in a real export.
    rng.shuffle(customers)
    numbered = [replace(c, external_id=f"C{n:04d}") for n, c in enumerate(customers, start=1)]
    return DemoTeam(people=people, customers=numbered)


def _people(rng: random.Random) -> list[DemoPerson]:
    full_names: list[str] = []
    while len(full_names) < 11:
        name = rng.choice(names.SURNAMES) + rng.choice(names.GIVEN_NAMES)
        if name not in full_names:
            full_names.append(name)
    people = [DemoPerson("A001", full_names[0], Role.ADMIN, None, "zh-Hans")]
    for m, (region, _) in enumerate(REGIONS, start=1):
        people.append(DemoPerson(f"M{m:03d}", full_names[m], Role.MANAGER, None, _language(f"M{m:03d}"), region))
    for r in range(1, 9):
        manager = (r - 1) // 4
        people.append(
            DemoPerson(
                f"R{r:03d}",
                full_names[2 + r],
                Role.REP,
                f"M{manager + 1:03d}",
                _language(f"R{r:03d}"),
                REGIONS[manager][0],
            )
        )
    return people


def _language(external_id: str) -> str:
    return "en" if external_id in ENGLISH_SPEAKERS else "zh-Hans"


def _territory(
    rng: random.Random, rep: str, city: str, districts: tuple[str, ...], size: int, taken: set[str]
) -> list[DemoCustomer]:
    """Draw one rep's accounts: about a quarter hospitals, under half pharmacies, the rest clinics."""
    streets = [(district, street) for district in districts for street in names.streets()[city][district]]
    accounts = []
    for landmark in names.landmark_hospitals():
        if landmark.city == city and landmark.district in districts:
            taken.add(landmark.name)
            accounts.append(
                DemoCustomer(
                    "", landmark.name, "hospital", city, landmark.district, rep, float(landmark.beds), None, True
                )
            )
    district_hospitals = [(p, d, "") for d in districts for p in names.DISTRICT_HOSPITAL_PATTERNS]
    centres = [(names.COMMUNITY_CENTRE_PATTERN, d, s) for d, s in streets]
    rng.shuffle(district_hospitals)
    rng.shuffle(centres)
    # Half of the other hospitals are district hospitals (as many as exist), the rest community centres.
    wanted = max(0, round(size * rng.uniform(0.23, 0.28)) - len(accounts))
    picked = district_hospitals[: (wanted + 1) // 2]
    for pattern, district, street in picked + centres[: wanted - len(picked)]:
        name = pattern.format(city=city, district=district, street=street)
        taken.add(name)
        accounts.append(DemoCustomer("", name, "hospital", city, district, rep, _beds(rng, pattern), None))
    chains = names.NATIONAL_PHARMACY_CHAINS * 2 + names.REGIONAL_PHARMACY_CHAINS[city] * 3
    for _ in range(round(size * rng.uniform(0.42, 0.48))):
        name, district = _unique_place(
            rng, taken, streets, lambda s: names.PHARMACY_PATTERN.format(chain=rng.choice(chains), street=s)
        )
        accounts.append(DemoCustomer("", name, "pharmacy", city, district, rep, None, _class(rng, 0.2, 0.45)))
    while len(accounts) < size:
        name, district = _unique_place(rng, taken, streets, lambda s: _clinic_name(rng, s))
        accounts.append(DemoCustomer("", name, "clinic", city, district, rep, None, _class(rng, 0.1, 0.4)))
    return accounts


def _unique_place(
    rng: random.Random, taken: set[str], streets: list[tuple[str, str]], make: Callable[[str], str]
) -> tuple[str, str]:
    """Return a name not used yet and its district; districts with more streets get more accounts."""
    for _ in range(200):
        district, street = rng.choice(streets)
        name = make(street)
        if name not in taken:
            taken.add(name)
            return name, district
    raise RuntimeError("the demo ran out of unique customer names")


def _clinic_name(rng: random.Random, street: str) -> str:
    doctor = rng.choice(names.SURNAMES) + rng.choice(names.GIVEN_NAMES)
    return rng.choice(names.CLINIC_PATTERNS).format(street=street, doctor=doctor, brand=rng.choice(names.CLINIC_BRANDS))


def _beds(rng: random.Random, pattern: str) -> float:
    """Beds by kind of hospital: general district hospitals are bigger than TCM or maternity ones."""
    low, high = {
        "人民医院": (500, 1200),
        "中心医院": (400, 1000),
        "中医医院": (300, 800),
        "妇幼保健院": (200, 600),
    }.get(pattern.removeprefix("{city}市{district}"), (100, 160))
    return float(round(rng.uniform(low, high), -1))


def _class(rng: random.Random, high: float, medium: float) -> str:
    draw = rng.random()
    return "H" if draw < high else "M" if draw < high + medium else "L"
