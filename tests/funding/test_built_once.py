"""The selectors whose querysets are built once per process (the rule of the grants to publish, the
chapters' sums of a year) hand each caller its own copy: a later call sees the ledger as it is then,
and what one caller does with its copy never reaches the next one."""

from decimal import Decimal

import pytest
from django.utils import timezone

from funding.selectors import chapter_figures
from funding.selectors.transparency import grants_pending_publication
from portal.choices import Role
from tests.factories import make_user
from tests.funding.factories import ActionFactory, ChapterFactory, make_commitment, make_reservation

pytestmark = pytest.mark.django_db


def test_the_grants_to_publish_are_read_afresh_at_each_call():
    assert grants_pending_publication().count() == 0
    first = make_commitment("1500.00", published=False)
    assert list(grants_pending_publication()) == [first]
    second = make_commitment("2500.00", published=False)
    assert list(grants_pending_publication()) == [first, second]


def test_narrowing_one_copy_leaves_the_next_untouched():
    first = make_commitment("1500.00", published=False)
    second = make_commitment("2500.00", published=False)
    narrowed = grants_pending_publication().filter(pk=first.pk)
    assert list(narrowed) == [first]
    assert list(grants_pending_publication()) == [first, second]
    assert list(grants_pending_publication().exclude(pk=first.pk)) == [second]


def test_the_chapter_figures_follow_the_ledger_between_calls():
    official = make_user(Role.REGIONAL_OFFICIAL)
    year = timezone.localdate().year
    chapter = ChapterFactory(year=year, appropriation=Decimal("50000.00"))
    chapters, totals = chapter_figures(user=official, year=year)
    assert [(c.pk, c.reserved) for c in chapters] == [(chapter.pk, Decimal("0.00"))]
    make_reservation("1200.00", chapter=chapter, action=ActionFactory(start_year=2020, end_year=year))
    chapters, totals = chapter_figures(user=official, year=year)
    assert [(c.pk, c.reserved, c.available) for c in chapters] == [
        (chapter.pk, Decimal("1200.00"), Decimal("48800.00"))
    ]
    assert totals["reserved"] == Decimal("1200.00")


def test_someone_who_reads_no_ledger_gets_no_chapter_after_a_reader_did():
    year = timezone.localdate().year
    ChapterFactory(year=year)
    assert len(chapter_figures(user=make_user(Role.REGIONAL_OFFICIAL), year=year)[0]) == 1
    assert chapter_figures(user=make_user(Role.APPLICANT), year=year)[0] == []
