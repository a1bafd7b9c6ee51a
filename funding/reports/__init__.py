"""The funding reports, autodiscovered by reporting.registry: chapter status by year and programme
summary (budget), applications register (applications), expense lines and liquidations (expenses),
the beneficiary statement (beneficiary) and the published grants (transparency). Importing the
package registers them all.

Rows come from the funding selectors, so a report shows what its user may see; long ones are read
with values_list(...).iterator(chunk_size=CHUNK_SIZE) in one query whatever their length. Money
stays a Decimal to the cent (the selectors' MoneyField output) and is formatted by the renderers.
The allocation annex and the ranking (graduatoria) are declared in their own module.
"""

from funding.reports import applications, beneficiary, budget, expenses, transparency  # noqa: F401 (they register)
from funding.reports.beneficiary import statement_rows
from funding.reports.transparency import TRANSPARENCY, transparency_public_document

__all__ = ["TRANSPARENCY", "statement_rows", "transparency_public_document"]
