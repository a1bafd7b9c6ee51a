"""Every string marked for translation has an Italian translation in the compiled catalogue: Python
code (whatever name the gettext function is imported under) and templates. A string added without
running `make messages` and translating it fails here, naming the file (issue 9, item 18)."""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import trans_real
from django.utils.translation.template import templatize

APPS = ("portal", "funding", "projects", "inventory", "reporting")
# Name of the function -> (index of the context argument or None, index of the message).
GETTEXT = {
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}


def _python_messages(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in GETTEXT:
                    names[alias.asname or alias.name] = GETTEXT[alias.name]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            spec = names.get(func.id)
        elif isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "translation":
            spec = GETTEXT.get(func.attr)
        else:
            spec = None
        if spec is None:
            continue
        yield from _message(spec, [a.value if isinstance(a, ast.Constant) else None for a in node.args])


def _message(spec, args):
    context_at, message_at = spec
    if len(args) <= message_at or not isinstance(args[message_at], str):
        return
    context = args[context_at] if context_at is not None else None
    if context_at is not None and not isinstance(context, str):
        return
    yield (context, args[message_at])


_TEMPLATE_CALL = re.compile(r"\b(gettext|_|pgettext|ngettext|npgettext)\(")


def _call_args(text: str):
    """The literal arguments of the call whose '(' starts `text` (None for anything else)."""
    args, current = [], None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text[1:]).readline):
            if token.type == tokenize.STRING:
                current = (current or "") + ast.literal_eval(token.string)
            elif token.type == tokenize.OP and token.string in ",)":
                args.append(current)
                current = None
                if token.string == ")":
                    return args
            elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                return args
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return args


def _template_messages(path: Path):
    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in _TEMPLATE_CALL.finditer(text):
        name = match.group(1)
        spec = GETTEXT.get("gettext" if name == "_" else name)
        yield from _message(spec, _call_args(text[match.end() - 1 :]))


def _sources():
    root = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, _python_messages
    for folder in [root / "templates", *(root / app / "templates" for app in APPS)]:
        for path in sorted(folder.rglob("*.html")) + sorted(folder.rglob("*.txt")):
            yield path, _template_messages


def _italian_catalogue():
    catalogue = trans_real.translation("it")._catalog
    keys = set()
    for key in catalogue.keys():  # noqa: SIM118  (a TranslationCatalog, not a dict)
        keys.add(key[0] if isinstance(key, tuple) else key)
    return keys


def test_every_translatable_string_has_an_italian_translation():
    catalogue = _italian_catalogue()
    missing = []
    for path, read in _sources():
        for context, message in read(path):
            key = f"{context}\x04{message}" if context else message
            if key not in catalogue:
                missing.append(f"{path.relative_to(settings.BASE_DIR)}: {key!r}")
    assert not missing, f"{len(missing)} strings without an Italian translation:\n" + "\n".join(
        sorted(set(missing))[:80]
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('from django.utils.translation import gettext as _g\nx = _g("Hi there")', [(None, "Hi there")]),
        ('from django.utils import translation\nx = translation.pgettext("c", "m")', [("c", "m")]),
        ("x = gettext('not imported from django')", []),
    ],
)
def test_the_scanner_sees_every_import_style(tmp_path, source, expected):
    path = tmp_path / "module.py"
    path.write_text(source)
    assert list(_python_messages(path)) == expected


def test_the_scanner_reads_templates(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        '{% load i18n %}{% translate "Saved." %} '
        "{% blocktranslate with n=x %}Number {{ n }}{% endblocktranslate %}"
    )
    assert list(_template_messages(path)) == [(None, "Saved."), (None, "Number %(n)s")]


@pytest.mark.django_db
def test_the_applicant_reads_the_confirmation_in_italian(client):
    from django.urls import reverse

    from tests.funding.factories_calls import make_draft, make_taxi_applicant, make_taxi_call

    user, org = make_taxi_applicant()
    application = make_draft(make_taxi_call(), user, org)
    client.force_login(user)
    response = client.post(
        reverse("funding:application_edit", args=[application.pk]), {"vehicle_plate": "AB123CD"}, follow=True
    )
    page = response.content.decode()
    assert "Domanda salvata." in page
    assert "Application saved." not in page


def test_causale_is_italian_only_in_italian():
    from django.utils import translation

    from funding.forms.ledger import LiquidationForm

    field = LiquidationForm.base_fields["reason"]
    with translation.override("en"):
        assert str(field.label) == "Payment type"
    with translation.override("it"):
        assert str(field.label) == "Causale"
