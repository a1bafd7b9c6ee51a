"""The project's timeline as data for an SVG (work packages as bars, deliverables and milestones as
markers, today's line) and for the table that says the same to a screen reader or on a phone."""

from dataclasses import dataclass

from django.utils import timezone

from projects.months import month_of

LABEL_WIDTH = 70  # user units left of month 1
MONTH_WIDTH = 20
ROW_HEIGHT = 26


@dataclass
class Bar:
    code: str
    title: str
    y: int
    x: float
    width: float
    start_month: int
    end_month: int
    markers: list


@dataclass
class Marker:
    code: str
    title: str
    x: float
    y: int
    kind: str  # deliverable | milestone
    late: bool
    done: bool
    due_date: object
    status: str


def build(project, work_packages, deliverables, milestones):
    months = project.duration_months
    today = timezone.localdate()
    bars = []
    by_wp = {}
    for row, wp in enumerate(work_packages):
        bar = Bar(
            wp.code,
            wp.title,
            30 + row * ROW_HEIGHT,
            LABEL_WIDTH + (wp.start_month - 1) * MONTH_WIDTH,
            (wp.end_month - wp.start_month + 1) * MONTH_WIDTH,
            wp.start_month,
            wp.end_month,
            [],
        )
        bars.append(bar)
        by_wp[wp.pk] = bar
    for d in deliverables:
        bar = by_wp.get(d.work_package_id)
        if bar is None:
            continue
        month = max(1, min(months, month_of(project.start_date, d.due_date)))
        bar.markers.append(
            Marker(
                d.code,
                d.title,
                LABEL_WIDTH + (month - 0.5) * MONTH_WIDTH,
                bar.y + 10,
                "deliverable",
                d.is_overdue(today),
                d.status in ("submitted", "accepted"),
                d.due_date,
                d.get_status_display(),
            )
        )
    milestone_y = 30 + len(bars) * ROW_HEIGHT
    ms_markers = [
        Marker(
            m.code,
            m.title,
            LABEL_WIDTH + (m.due_month - 0.5) * MONTH_WIDTH,
            milestone_y + 10,
            "milestone",
            m.achieved_on is None and m.due_date < today,
            m.achieved_on is not None,
            m.due_date,
            "",
        )
        for m in milestones
    ]
    today_month = month_of(project.start_date, today)
    today_x = None
    if 1 <= today_month <= months:
        start = project.month_start(today_month)
        end = project.month_end(today_month)
        fraction = (today - start).days / max(1, (end - start).days + 1)
        today_x = LABEL_WIDTH + (today_month - 1 + fraction) * MONTH_WIDTH
    years = []
    for m in range(1, months + 1):
        if m == 1 or project.month_start(m).month == 1:
            years.append((LABEL_WIDTH + (m - 1) * MONTH_WIDTH, project.month_start(m).year))
    return {
        "width": LABEL_WIDTH + months * MONTH_WIDTH + 10,
        "height": milestone_y + ROW_HEIGHT + 10,
        "bars": bars,
        "milestones": ms_markers,
        "milestone_y": milestone_y,
        "today_x": today_x,
        "years": years,
        "ticks": [(LABEL_WIDTH + (m - 1) * MONTH_WIDTH, m) for m in range(1, months + 1, 6)],
        "label_width": LABEL_WIDTH,
    }
