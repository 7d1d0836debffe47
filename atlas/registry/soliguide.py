"""Soliguide place exports read as an actor registry.

Soliguide (Solinum) describes each place as a JSON document: ``lieu_id``, ``name``,
``position`` (``address``, ``postalCode``, ``city``, ``location.coordinates`` as
``[lon, lat]``), ``newhours`` (one entry per weekday with ``open`` and ``timeslot`` ranges,
``h24``, ``closedHolidays``), ``entity`` (contacts), ``services_all`` (service categories),
``modalities`` (unconditional access, appointment, registration, orientation, price),
``tempInfos`` (temporary closures), ``status`` (``ONLINE``, ``DRAFT``, ``OFFLINE``,
``PERMANENTLY_CLOSED``), ``visibility`` (``ALL``, or ``PRO`` for a place reserved to
professionals) and ``updatedByUserAt`` (when a person last checked the place; ``updatedAt`` also
changes on automatic updates, so it is only used when the other is missing). :func:`places_to_rows` turns a list of such places into rows
with atlas's canonical columns, the hours written in OpenStreetMap ``opening_hours`` syntax, so
that a Soliguide export loads with :func:`atlas.registry.actors.read_actors` without hand work.

No maintained Python package reads Soliguide's place model; the field names follow Soliguide's
public code (``newhours``, ``timeslot`` ``{start, end}`` as ``"08:00"`` strings or ``800``
integers in older exports).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from atlas.registry.hours_fr import day_runs

#: Soliguide weekday keys, Monday first, with their OSM abbreviation.
WEEKDAYS = (("monday", "Mo"), ("tuesday", "Tu"), ("wednesday", "We"), ("thursday", "Th"),
            ("friday", "Fr"), ("saturday", "Sa"), ("sunday", "Su"))  # fmt: skip

#: Soliguide service categories -> (atlas kind, atlas service slug); first food kind wins.
CATEGORIES: dict[str, tuple[str | None, str]] = {
    "social_grocery_stores": ("epicerie", "epicerie"),
    "food_packages": ("distribution", "colis"),
    "food_distribution": ("distribution", "colis"),
    "food_voucher": ("distribution", "cheques"),
    "baby_parcel": ("distribution", "bebe"),
    "solidarity_fridge": ("distribution", "frigo-solidaire"),
    "community_garden": (None, "jardin"),
    "cooking_workshop": (None, "ateliers"),
    "shared_kitchen": (None, "ateliers"),
    "nutrition_advice": (None, "accompagnement"),
    "shower": (None, "douches"),
    "clothing": (None, "vestiaire"),
    "domiciliation": (None, "domiciliation"),
    "day_hosting": ("meal", "accueil-de-jour"),
}
KIND_ORDER = ("epicerie", "distribution", "meal")

#: Soliguide ``status`` -> atlas status (:data:`atlas.registry.schema.STATUS_LABELS`).
STATUSES: dict[str, str] = {"ONLINE": "open", "DRAFT": "draft", "OFFLINE": "offline", "PERMANENTLY_CLOSED": "closed"}
#: Soliguide ``visibility`` -> atlas visibility (:data:`atlas.registry.schema.VISIBILITY_LABELS`).
VISIBILITIES: dict[str, str] = {"ALL": "public", "PRO": "pro"}


def is_soliguide(records: object) -> bool:
    """True when ``records`` looks like a list of Soliguide places."""
    return (isinstance(records, list) and bool(records) and isinstance(records[0], dict)
            and "position" in records[0] and ("newhours" in records[0] or "lieu_id" in records[0]))


def _hhmm(value: object) -> str | None:
    """``"08:00"``, ``"8:00"``, ``800`` or ``"0800"`` -> ``"08:00"``; None when unreadable."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if ":" in text:
        h, _, m = text.partition(":")
    else:
        digits = text.zfill(4)
        h, m = digits[:-2], digits[-2:]
    try:
        hh, mm = int(h), int(m[:2])
    except ValueError:
        return None
    if not (0 <= hh <= 24 and 0 <= mm < 60):
        return None
    return f"{hh:02d}:{mm:02d}"


def hours_to_osm(newhours: dict | None) -> str:
    """Soliguide ``newhours`` in OpenStreetMap ``opening_hours`` syntax ("" when unknown).

    Days with the same time ranges are grouped (``Mo-Fr 08:00-12:30,14:00-16:30``); a range
    ending after midnight (``23:00``-``05:00``) is kept as OSM writes it; ``h24`` gives ``24/7``;
    ``closedHolidays == "CLOSED"`` adds ``PH off``.
    """
    if not isinstance(newhours, dict):
        return ""
    if newhours.get("h24"):
        rule = "24/7"
    else:
        by_day: list[str] = []
        for key, _ in WEEKDAYS:
            day = newhours.get(key) or {}
            slots = []
            if day.get("open"):
                for slot in day.get("timeslot") or []:
                    start, end = _hhmm(slot.get("start")), _hhmm(slot.get("end"))
                    if start and end and start != end:
                        slots.append((start, end))
            by_day.append(",".join(f"{a}-{b}" for a, b in sorted(slots)))
        if not any(by_day):
            return ""
        groups: dict[str, list[int]] = {}  # same ranges -> days, in order of first day
        for i, ranges in enumerate(by_day):
            if ranges:
                groups.setdefault(ranges, []).append(i)
        parts = [f"{_days_label(days)} {ranges}" for ranges, days in groups.items()]
        rule = "; ".join(parts)
    if str(newhours.get("closedHolidays", "")).upper() == "CLOSED":
        rule += "; PH off"
    return rule


def _days_label(days: list[int]) -> str:
    """OSM weekday selector: runs of three days or more as ranges (``Mo-We,Fr``), else lists."""
    out = []
    for run in day_runs(days):
        names = [WEEKDAYS[d][1] for d in run]
        out.extend([f"{names[0]}-{names[-1]}"] if len(names) >= 3 else names)
    return ",".join(out)


def _closure(temp: dict | None) -> str:
    """Temporary closure as OSM-like dates (``2026 Jul 15-2026 Aug 15 off``)."""
    closure = (temp or {}).get("closure") or {}
    if not closure.get("actif"):
        return ""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

    def osm_date(iso: object) -> str:
        text = str(iso or "")[:10]
        try:
            y, m, d = (int(x) for x in text.split("-"))
            return f"{y} {months[m - 1]} {d:02d}"
        except (ValueError, IndexError):
            return ""

    start, end = osm_date(closure.get("dateDebut")), osm_date(closure.get("dateFin"))
    if start and end:
        return f"{start}-{end} off"
    return f"{start} off" if start else ""


def _access(modalities: dict | None) -> tuple[str, str]:
    mod = modalities or {}

    def checked(key: str) -> bool:
        v = mod.get(key)
        return bool(v.get("checked")) if isinstance(v, dict) else bool(v)

    if mod.get("inconditionnel"):
        access = "unconditional"
    elif checked("orientation"):
        access = "referral"
    elif checked("inscription"):
        access = "registration"
    elif checked("appointment"):
        access = "appointment"
    else:
        access = ""
    raw_price = mod.get("price")
    price = raw_price if isinstance(raw_price, dict) else {}
    text = str(price.get("precisions") or "").strip() if price.get("checked") else ""
    return access, text


def _categories(services: Iterable[dict] | None) -> tuple[str, list[str]]:
    kinds, slugs = [], []
    for service in services or []:
        cat = str(service.get("category") or service.get("categorie") or "")
        kind, slug = CATEGORIES.get(cat, (None, cat.replace("_", "-")))
        if kind:
            kinds.append(kind)
        if slug and slug not in slugs:
            slugs.append(slug)
    kind = next((k for k in KIND_ORDER if k in kinds), "other")
    return kind, slugs


def _date(value: object) -> str:
    """``AAAA-MM-JJ`` of an ISO date-time, also in MongoDB's extended JSON (``{"$date": …}``)."""
    if isinstance(value, dict):  # mongoexport: {"$date": "2021-09-10T09:49:09.572Z"} or {"$date": {"$numberLong": ms}}
        value = value.get("$date")
        if isinstance(value, dict):
            try:
                stamp = dt.datetime.fromtimestamp(int(value.get("$numberLong", "")) / 1000, tz=dt.UTC)
            except (TypeError, ValueError, OverflowError, OSError):
                return ""
            return stamp.date().isoformat()
    return str(value or "")[:10]


def places_to_rows(places: list[dict]) -> list[dict[str, str]]:
    """One canonical registry row (strings) per Soliguide place."""
    rows = []
    for place in places:
        pos = place.get("position") or {}
        coords = (pos.get("location") or {}).get("coordinates") or [None, None]
        entity = place.get("entity") or {}
        phones = entity.get("phones") or []
        phone = phones[0].get("phoneNumber", "") if phones and isinstance(phones[0], dict) else entity.get("phone", "")
        kind, services = _categories(place.get("services_all"))
        access, price = _access(place.get("modalities"))
        publics = place.get("publics") or {}
        rows.append({
            "id": f"soliguide-{place.get('lieu_id', place.get('_id', ''))}",
            "name": str(place.get("name") or "").strip(),
            "kind": kind,
            "address": str(pos.get("address") or "").strip(),
            "postcode": str(pos.get("postalCode") or "").strip(),
            "commune": str(pos.get("city") or "").strip(),
            "lon": "" if coords[0] is None else str(coords[0]),
            "lat": "" if len(coords) < 2 or coords[1] is None else str(coords[1]),
            "precision": "address" if coords[0] is not None else "",
            "opening_hours": hours_to_osm(place.get("newhours")),
            "services": ",".join(services),
            "public": str(publics.get("description") or "").strip() if isinstance(publics, dict) else "",
            "phone": str(phone or ""),
            "email": str(entity.get("mail") or ""),
            "website": str(entity.get("website") or ""),
            "access": access,
            "price": price,
            "closures": _closure(place.get("tempInfos")),
            "source": "Soliguide",
            "updated": _date(place.get("updatedByUserAt") or place.get("updatedAt")),
            # unknown values are passed on as written: the reader rejects them with a reason
            "status": STATUSES.get(str(place.get("status") or "").upper(), str(place.get("status") or "")),
            "visibility": VISIBILITIES.get(str(place.get("visibility") or "").upper(),
                                           str(place.get("visibility") or "")),
        })
    return rows
