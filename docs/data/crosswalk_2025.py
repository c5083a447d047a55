"""How ``adoption/data/communes_2025.csv`` was made (kept for provenance; not run by tests).

    python docs/data/crosswalk_2025.py SHARED_CSV NEW_TO_OLD_JSON > adoption/data/communes_2025.csv

``SHARED_CSV``: the project's working list of the five old districts' communes and the 2025
commune each went to (from two third-party copies of the 2025 Standing Committee
resolutions). ``NEW_TO_OLD_JSON``: ``new_to_old.json`` of github.com/tanthuan031/vnadministrative
at commit 7f7ac8f (a public compilation of the 2025 resolutions: each new commune with the
communes of mid-2025 it took in). A row is ``confirmed`` when that compilation lists the old
commune (names compared without their vowel marks: Phong Nặm, Phong Nậm) in the new commune;
``earlier merger`` when the old commune had already been merged into another before 2025
(the compilation does not list it; its 2025 commune is the one its successor went to, not
confirmed here);
``unknown`` when no 2025 commune is known. ``outside`` lists the communes of other districts a
new commune also took in (land the model does not hold).
"""

import csv
import json
import sys
import unicodedata

SOURCE = ("tanthuan031/vnadministrative new_to_old.json @7f7ac8f (compilation of the "
          "Standing Committee resolutions of 16 Jun 2025: Lào Cai 1680, Thái Nguyên 1683, "
          "Phú Thọ 1676/NQ-UBTVQH15, Cao Bằng)")
DISTRICTS = ("Lục Yên", "Văn Yên", "Yên Lạc", "Trùng Khánh", "Chợ Đồn")


def bare(name: str) -> str:
    """A place name without its administrative prefix ("Xã ", "Huyện ", ...)."""
    name = unicodedata.normalize("NFC", name).strip()
    for prefix in ("Xã ", "Thị Trấn ", "Thị trấn ", "Phường ", "Huyện ", "Tỉnh "):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name


def loose(name: str) -> str:
    """Tone-mark variants of one name compare equal (Phong Nặm, Phong Nậm)."""
    text = unicodedata.normalize("NFD", name)
    return "".join(c for c in text if c not in "\u0323\u0302\u0306\u0300\u0301\u0303\u0309")


def main(shared: str, mapping: str) -> None:
    """Write the crosswalk to standard output."""
    wards = json.load(open(mapping, encoding="utf-8"))["wards"].values()
    new = {(bare(w["new_province_name"]), bare(w["new_ward_name"])): w for w in wards}
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["old_district", "old_commune", "new_province", "new_commune", "status",
                  "outside", "source"])
    for row in csv.DictReader(open(shared, encoding="utf-8")):
        key = (row["new_province"], row["new_commune"])
        ward = new.get(key)
        olds = [(bare(o["old_ward_name"]), bare(o["old_district_name"]))
                for o in (ward["old_wards"] if ward else [])]
        listed = any(loose(c) == loose(row["old_commune"]) and d == row["old_district"]
                     for c, d in olds)
        status = "confirmed" if listed else ("earlier merger" if ward else "unknown")
        outside = sorted({f"{c} ({d})" for c, d in olds if d not in DISTRICTS})
        commune = row["new_commune"] if ward else ""
        out.writerow([row["old_district"], row["old_commune"], row["new_province"], commune,
                      status, "; ".join(outside), SOURCE if ward else "not found"])


if __name__ == "__main__":
    main(*sys.argv[1:3])
