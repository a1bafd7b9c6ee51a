"""Demo data for EU projects: the projects of the seeds with the facts they state, built through the
services so that the audit trail tells the story.

- Digital Academy for Local Police (Torino with Nice, Madrid, Liège; 36 months, 2025-2027; VR training,
  data analysis and AI; large cross-border events), coordinated by Torino;
- PreCrisis (2 years; coordinator Saher Europe, Estonia; Comune di Trento a partner; FBK's video
  analytics);
- PACTESUR (ISF-Police; Nice, Liège, Torino, ANCI Piemonte, Efus; WP1 management, WP2 communication,
  WP3 legal frame, WP4 training of local police, WP5 security equipment for three demonstrator public
  spaces), with WP5's equipment among its expenditure lines (the inventory links devices to them);
- MARVEL (H2020, 2021-2023), PROTECTOR (ISF-P, 2021-2023) and e-Security (ISEC, 2013-2016), closed.

Where the seeds give no figures (programme of Digital Academy, budgets, work plans, PICs), the figures
are illustrative and each project's description says so. Deliverables are placed around today so that
the screens tell something at once: accepted, submitted, late, due within 30 days, in preparation.
Idempotent: an existing project is left as it is. Demo accounts: Torino's project manager (portal's
demo) and a project manager for Comune di Trento.
"""

from portal.demo import DEMO_DOMAIN
from portal.models import User
from projects.demo.common import EXTRA_ACCOUNTS, TRENTO_PM, _organisations, _trento_manager
from projects.demo.digital_academy import seed_digital_academy
from projects.demo.others import seed_closed, seed_pactesur, seed_precrisis
from projects.models import Project
from projects.services.programmes import code_lists_load

__all__ = ["EXTRA_ACCOUNTS", "seed"]


def seed(stdout) -> None:
    code_lists_load()
    orgs = _organisations()
    _trento_manager(orgs)
    reviewer = User.objects.get(email=f"comune.torino@{DEMO_DOMAIN}")  # a colleague at Comune di Torino
    trento_reviewer = User.objects.get(email=TRENTO_PM)
    seed_digital_academy(orgs, reviewer)
    seed_precrisis(orgs, trento_reviewer)
    seed_pactesur(orgs)
    seed_closed(orgs)
    stdout.write(
        f"EU projects: {Project.objects.count()} "
        f"({', '.join(Project.objects.values_list('acronym', flat=True))})."
    )
