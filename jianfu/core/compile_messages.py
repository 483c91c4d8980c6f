"""Compile jianfu/locale/*/LC_MESSAGES/django.po to .mo with polib, so no GNU gettext is needed."""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def main() -> None:
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(LOCALE_DIR.parent)}: {po.percent_translated()}% translated")


if __name__ == "__main__":
    main()
