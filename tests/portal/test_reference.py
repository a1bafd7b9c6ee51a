import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from portal.models import Comune, ComunePopulation, Province
from portal.reference import DEFAULT_COMUNI_CSV

pytestmark = pytest.mark.django_db


def test_reference_figures_hold(comuni):
    assert Comune.objects.count() == 1181
    at_2022 = ComunePopulation.objects.filter(reference_date=datetime.date(2022, 1, 1))
    assert at_2022.count() == 1181
    assert at_2022.aggregate(total=Sum("population"))["total"] == 4_256_350
    assert ComunePopulation.objects.filter(reference_date=datetime.date(2023, 1, 1)).count() == 1179
    assert Province.objects.count() == 8
    torino = Comune.objects.get(istat_code="001272")
    assert torino.name == "Torino"
    assert torino.is_provincial_capital
    assert set(Comune.objects.filter(is_provincial_capital=True).values_list("name", flat=True)) == {
        "Torino",
        "Vercelli",
        "Novara",
        "Cuneo",
        "Asti",
        "Alessandria",
        "Biella",
        "Verbania",
    }
    assert Decimal(1) == 1  # figures are integers: no float anywhere


def test_istat_codes_keep_leading_zeros(comuni):
    assert Comune.objects.filter(istat_code__startswith="00").count() > 0
    assert all(len(code) == 6 for code in Comune.objects.values_list("istat_code", flat=True))


def test_loading_twice_changes_nothing(comuni, capsys):
    before = list(ComunePopulation.objects.order_by("pk").values_list("pk", "population"))
    call_command("load_comuni")
    out = capsys.readouterr().out
    assert "created 0, updated 0" in out
    assert list(ComunePopulation.objects.order_by("pk").values_list("pk", "population")) == before


def _broken_copy(tmp_path, line_no: int, replace: tuple[str, str]):
    lines = DEFAULT_COMUNI_CSV.read_text(encoding="utf-8").splitlines()
    lines[line_no - 1] = lines[line_no - 1].replace(*replace, 1)
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_malformed_file_names_line_and_field_and_loads_nothing(comuni, tmp_path):
    # Change a name on line 3 (which would be an update) and break the population on line 10.
    lines = DEFAULT_COMUNI_CSV.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Ala di Stura", "Ala di Stura MODIFIED")
    fields = lines[9].split(",")
    fields[-2] = "12x4"
    lines[9] = ",".join(fields)
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        call_command("load_comuni", file=path)
    assert "line 10, field population_2022" in str(excinfo.value)
    assert not Comune.objects.filter(name__endswith="MODIFIED").exists()


def test_bad_istat_code_is_reported(comuni, tmp_path):
    path = _broken_copy(tmp_path, 2, ("001001", "1001"))
    with pytest.raises(CommandError, match=r"line 2, field istat_code"):
        call_command("load_comuni", file=path)


def test_empty_database_loads_everything(transactional_db, tmp_path):
    ComunePopulation.objects.all().delete()
    Comune.objects.all().delete()
    call_command("load_comuni")
    assert Comune.objects.count() == 1181
    assert ComunePopulation.objects.count() == 1181 + 1179
