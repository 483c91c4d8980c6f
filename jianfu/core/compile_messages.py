"""Compile every django.po under jianfu/ (the project's and each app's own locale folder) to .mo with
polib, so no GNU gettext is needed."""

from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def catalogs() -> list[Path]:
    return sorted(PACKAGE_DIR.glob("**/locale/*/LC_MESSAGES/django.po"))


def main() -> None:
    for po_path in catalogs():
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(PACKAGE_DIR)}: {po.percent_translated()}% translated")


if __name__ == "__main__":
    main()
