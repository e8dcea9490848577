#!/usr/bin/env python3
"""Collects every @tr("...") string of ui/**/*.slint and merges them into
ui/translations/en/LC_MESSAGES/kiosk.po: existing translations are kept, new strings get an
empty msgstr (the `ui_translations` test then fails until someone translates them), strings no
longer used are dropped. Source strings are Indonesian; the bundled `en` file is the translation."""
import pathlib, re

ROOT = pathlib.Path(__file__).resolve().parent.parent
PO = ROOT / "ui/translations/en/LC_MESSAGES/kiosk.po"
TR = re.compile(r'@tr\(\s*"((?:[^"\\]|\\.)*)"')
ENTRY = re.compile(r'msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"')

def main():
    used = []
    for f in sorted((ROOT / "ui").rglob("*.slint")):
        for m in TR.finditer(f.read_text(encoding="utf-8")):
            if m.group(1) not in used:
                used.append(m.group(1))
    old = dict(ENTRY.findall(PO.read_text(encoding="utf-8"))) if PO.exists() else {}
    out = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', '"Language: en\\n"', ""]
    for s in used:
        out += [f'msgid "{s}"', f'msgstr "{old.get(s, "")}"', ""]
    PO.write_text("\n".join(out), encoding="utf-8")
    missing = [s for s in used if not old.get(s)]
    print(f"{len(used)} strings, {len(missing)} untranslated")
    for s in missing:
        print("  untranslated:", s)

main()
