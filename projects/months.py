"""Project months: month 1 starts on the project's start date; month m ends the day before month m+1
starts. A deliverable due in month m is due on the last day of month m (as in the EU's portal)."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole calendar months; the 31st becomes the month's last day where needed."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_start(start: datetime.date, month: int) -> datetime.date:
    return add_months(start, month - 1)


def month_end(start: datetime.date, month: int) -> datetime.date:
    return add_months(start, month) - datetime.timedelta(days=1)


def month_of(start: datetime.date, day: datetime.date) -> int:
    """The project month `day` falls in (0 or less before the start)."""
    month = (day.year - start.year) * 12 + (day.month - start.month) + 1
    if day < month_start(start, month):
        month -= 1
    elif day > month_end(start, month):
        month += 1
    return month
