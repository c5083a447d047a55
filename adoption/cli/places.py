"""``adoption places``: the districts and communes the model knows, and the places of 2025."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path


def add_command(commands) -> None:
    """Register ``adoption places`` on the command line's sub-parsers."""
    places = commands.add_parser("places", help="list the districts and communes the model knows")
    places.add_argument("district", nargs="?", help="only this district's communes")
    places.add_argument("--profile", type=Path, help="a district profile CSV of your own")
    places.add_argument(
        "--2025", dest="reform", action="store_true",
        help="the provinces and communes since 1 July 2025 and the old communes each holds",
    )  # fmt: skip
    places.set_defaults(handler=_places)


def _places_2025(profiles) -> int:
    """The 2025 provinces and communes, with the old communes each holds (the crosswalk)."""
    from adoption.places.reform import load_crosswalk, units

    rows = load_crosswalk()
    pairs = [(c.name, p.name) for p in profiles for c in p.communes]
    known = units(pairs, rows)
    status = {(r["old_commune"], r["old_district"]): r["status"] for r in rows}
    confirmed = sum(status.get(pair) == "confirmed" for pair in pairs)
    unmapped = [f"{c} ({d})" for c, d in pairs if status.get((c, d), "unknown") == "unknown"]
    print(
        f"since 1 July 2025 (adoption/data/communes_2025.csv): {confirmed} of the model's "
        f"{len(pairs)} communes confirmed by a public compilation of the 2025 resolutions; "
        f"no 2025 commune found for {', '.join(unmapped) or 'none'}"
    )
    for province in (u for u in known.values() if u.level == "province"):
        districts = ", ".join(dict.fromkeys(d for _, d in province.places))
        print(f"{province.name} (province): former districts {districts}")
        for unit in (u for u in known.values() if u.province == province.name != u.name):
            old = ", ".join(c for c, _ in unit.places)
            extra = f"; also {', '.join(unit.outside)}, not modelled" if unit.partial else ""
            print(f"    {unit.name}: {old}{extra}")
    return 0


def _places(args: argparse.Namespace) -> int:
    from adoption.places.names import resolve
    from adoption.places.profiles import load_profiles

    profiles = load_profiles(args.profile)
    if args.reform:
        return _places_2025(profiles)
    if args.district:
        known = [p.name for p in profiles]
        name = resolve(args.district, known, "places", "district", "district of the profile")
        profiles = [p for p in profiles if p.name == name]
    for p in profiles:
        print(f"{p.name} ({p.province}): {len(p.communes)} communes, {p.households:,} households")
        if args.district:
            for c in p.communes:
                print(f"    {c.name}: {c.households:,} households, {c.villages} villages")
        else:
            text = ", ".join(c.name for c in p.communes)
            print(textwrap.fill(text, 96, initial_indent="    ", subsequent_indent="    "))
    return 0
